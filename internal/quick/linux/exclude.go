package linux

import (
	"net/netip"

	"github.com/wgtools/wgtools/internal/quick"
)

var _ quick.Excluder = (*Platform)(nil)

// LANPrefixes are the networks of the host's links but lo and real.
func (p *Platform) LANPrefixes(real string) ([]netip.Prefix, []string, error) {
	return p.Sys.LANPrefixes(real)
}

// excludeRules keeps the excluded prefixes of one family out of the
// policy-routed default route: a rule to main for each, added after the
// tunnel's rules so that the kernel looks at it first. Each is recorded
// before it goes in.
func (p *Platform) excludeRules(j *quick.Journal, v6 bool) error {
	var done []netip.Prefix
	j.Get(changeExclude, &done)
	for _, pr := range quick.RecordedExcluded(j) {
		if pr.Addr().Is6() != v6 {
			continue
		}
		done = append(done, pr)
		if err := j.Set(changeExclude, done); err != nil {
			return err
		}
		if err := p.Sys.AddExcludeRule(pr); err != nil {
			return err
		}
	}
	return nil
}

// delExcludeRules removes the rules excludeRules recorded.
func (p *Platform) delExcludeRules(j *quick.Journal) {
	var done []netip.Prefix
	j.Get(changeExclude, &done)
	for _, pr := range done {
		if err := p.Sys.DelExcludeRule(pr); err != nil {
			p.logf("[!] %v", err)
		}
	}
}

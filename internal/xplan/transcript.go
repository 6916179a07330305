package xplan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Transcript writes the simulator's transcript format, one record a line:
// LOG (a [#], [+] or [!] line), CALL (a change, as the command upstream
// would have run), EVENT, EXIT and ERR (any other line of ours).
type Transcript struct {
	mu sync.Mutex
	w  io.Writer
}

// NewTranscript writes to w.
func NewTranscript(w io.Writer) *Transcript { return &Transcript{w: w} }

func (t *Transcript) line(kind, text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "%s %s\n", kind, text)
}

// Call records a command line.
func (t *Transcript) Call(argv ...string) { t.line("CALL", jsonText(argv)) }

// Event records what was delivered to the monitor.
func (t *Transcript) Event(v any) { t.line("EVENT", jsonText(v)) }

// Exit records a phase's exit status ("running" for a monitor that is).
func (t *Transcript) Exit(phase, status string) { t.line("EXIT", phase+" "+status) }

// Log is an io.Writer for the program's stderr: its [#], [+] and [!]
// lines become LOG records, the rest ERR.
func (t *Transcript) Log() io.Writer { return &logWriter{t: t} }

type logWriter struct {
	t   *Transcript
	buf bytes.Buffer
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil {
			l.buf.WriteString(line)
			return len(p), nil
		}
		line = strings.TrimSuffix(line, "\n")
		kind := "ERR"
		if strings.HasPrefix(line, "[#]") || strings.HasPrefix(line, "[+]") || strings.HasPrefix(line, "[!]") {
			kind = "LOG"
		}
		l.t.line(kind, line)
	}
}

// Record is one line of a transcript, read back.
type Record struct {
	Kind, Text string
	// Argv is a CALL's command line.
	Argv []string
}

// Parse reads a transcript's records.
func Parse(text string) ([]Record, error) {
	var out []Record
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if line == "" {
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		r := Record{Kind: kind, Text: rest}
		if kind == "CALL" {
			if err := json.Unmarshal([]byte(rest), &r.Argv); err != nil {
				return nil, fmt.Errorf("%q: %w", line, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// decode is raw JSON as plain values, for printing it again with sorted
// keys.
func decode(v map[string]json.RawMessage) any {
	out := map[string]any{}
	for k, raw := range v {
		var x any
		json.Unmarshal(raw, &x)
		out[k] = x
	}
	return out
}

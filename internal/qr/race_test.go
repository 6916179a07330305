//go:build race

package qr

// raceEnabled says the tests run under the race detector, which makes the
// encoder about ten times slower; the slowest sweeps then take a sample.
const raceEnabled = true

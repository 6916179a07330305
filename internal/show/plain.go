package show

import "time"

// Ago is a latest handshake as the pretty listing writes it ("1 minute, 5
// seconds ago", "Now"), without colour.
func Ago(sec int64, now time.Time) string { return string(plain.appendAgo(nil, sec, now)) }

// Bytes is a transfer count as the pretty listing writes it ("1.50 KiB"),
// without colour.
func Bytes(b uint64) string { return string(plain.appendBytes(nil, b)) }

// Every is a persistent keepalive interval as the pretty listing writes it
// ("every 25 seconds"), without colour.
func Every(sec int) string { return "every " + string(plain.appendDuration(nil, uint64(sec))) }

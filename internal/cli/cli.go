// Package cli holds what every command of the suite shares: the process
// environment as values, and the error types that internal/app prints.
package cli

import (
	"io"
	"os"
)

// Env is the outside world of one command run.
type Env struct {
	// Prog is argv[0] exactly as typed; wg prints it in usage texts.
	Prog   string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// LookupEnv reads an environment variable.
	LookupEnv func(key string) (string, bool)
	// Rand is the source of key material.
	Rand io.Reader
}

// Getenv returns the variable's value, or "" when it is unset.
func (e *Env) Getenv(key string) string {
	v, _ := e.LookupEnv(key)
	return v
}

// ProcessEnv returns the Env of this process.
func ProcessEnv(prog string, rand io.Reader) *Env {
	return &Env{
		Prog:      prog,
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		LookupEnv: os.LookupEnv,
		Rand:      rand,
	}
}

// Error is a failure whose text is printed to stderr as it is, followed by a
// newline, and which ends the program with Code (1 when zero).
type Error struct {
	Msg  string
	Code int
}

func (e *Error) Error() string { return e.Msg }

// Fail returns an Error that prints msg and exits 1.
func Fail(msg string) error { return &Error{Msg: msg} }

// Silent is a failure that has already been reported; it only sets the exit
// code.
type Silent struct{ Code int }

func (e *Silent) Error() string { return "exit status" }

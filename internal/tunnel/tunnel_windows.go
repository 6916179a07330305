package tunnel

import (
	"context"
	"errors"
	"os"
)

// The embedded tunnel on Windows (Wintun, named pipes) is not built yet.
var errWindows = errors.New("the embedded tunnel is not supported on Windows yet")

const (
	LogSilent  = 0
	LogError   = 1
	LogVerbose = 2
	DefaultMTU = 1420
)

// Tunnel is not available on Windows yet.
type Tunnel struct{}

func Open(string, int, int) (*Tunnel, error)                     { return nil, errWindows }
func FromFiles(string, *os.File, *os.File, int) (*Tunnel, error) { return nil, errWindows }
func (t *Tunnel) Name() string                                   { return "" }
func (t *Tunnel) Files() (*os.File, *os.File)                    { return nil, nil }
func (t *Tunnel) Close() error                                   { return errWindows }
func (t *Tunnel) Run(context.Context) error                      { return errWindows }
func Start(string, int, int, *os.File) (string, error)           { return "", errWindows }
func Running(string) bool                                        { return false }
func Stop(string) error                                          { return errWindows }

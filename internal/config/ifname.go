package config

import "strings"

// InterfaceNameMax is the longest interface name: IFNAMSIZ - 1, where wg
// truncates names and past which wg-quick reads an operand as a path.
const InterfaceNameMax = 15

// InterfaceNameChars is the character class of the interface names
// wg-quick accepts, as a regular expression.
const InterfaceNameChars = `[a-zA-Z0-9_=+.-]`

// ValidInterfaceName reports whether s is a name wg-quick accepts: 1 to
// InterfaceNameMax characters of InterfaceNameChars.
func ValidInterfaceName(s string) bool {
	return s != "" && len(s) <= InterfaceNameMax && OnlyInterfaceNameChars(s)
}

// OnlyInterfaceNameChars reports whether s has no character outside
// InterfaceNameChars, whatever its length.
func OnlyInterfaceNameChars(s string) bool {
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=+.-") == ""
}

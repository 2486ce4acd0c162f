package fold

import (
	"regexp"
	"testing"
	"unicode"
)

// TestRuneIsOrbit: the table and the ASCII shortcut give what the walk of
// each rune's orbit gives, for every rune.
func TestRuneIsOrbit(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := Rune(r), orbit(r); got != want {
			t.Fatalf("Rune(%U) = %U, its orbit's smallest is %U", r, got, want)
		}
	}
}

// TestStringAgreesWithRegexp: two strings fold alike exactly when a (?i)
// regexp of one matches the other.
func TestStringAgreesWithRegexp(t *testing.T) {
	cases := [][2]string{
		{"Respuesta automática", "RESPUESTA AUTOMÁTICA"},
		{"ſtraße", "STRAẞE"},
		{"Kelvin", "\u212Aelvin"},
		{"Ωmega", "ωMEGA"},
		{"día", "dia"},
		{"ab", "ac"},
		{"abc", "ab"},
	}
	for _, c := range cases {
		same := String(c[0]) == String(c[1])
		match := regexp.MustCompile(`(?i)^` + regexp.QuoteMeta(c[0]) + `$`).MatchString(c[1])
		if same != match {
			t.Errorf("%q and %q: fold alike %v, (?i) matches %v", c[0], c[1], same, match)
		}
	}
	if got := String("a\xffb"); got != "A\uFFFDB" {
		t.Errorf("String of an invalid byte = %q", got)
	}
}

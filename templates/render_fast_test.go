package templates

import (
	"bytes"
	"strings"
	"testing"
)

// renderReference is Render as it was before it reused its buffers and
// passed Data by pointer.
func (s *Set) renderReference(lang Language, name Name, data Data) (Rendered, error) {
	e := s.entries[templateKey{lang, name}]
	tt, ht := s.textOf(e).all, s.htmlOf(e).all
	var subj, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subj, "subject", data); err != nil {
		return Rendered{}, err
	}
	if err := tt.Execute(&text, data); err != nil {
		return Rendered{}, err
	}
	if err := ht.ExecuteTemplate(&html, "layout", data); err != nil {
		return Rendered{}, err
	}
	return Rendered{Subject: oneLine(subj.String()), Text: tidyBody(text.String()), HTML: tidyBody(html.String())}, nil
}

// TestRenderMatchesReference: every template in every language renders
// byte for byte as before, with the full sample data, with empty data,
// and with text holding CR LF line ends and HTML.
func TestRenderMatchesReference(t *testing.T) {
	s, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	crlf := sampleData
	crlf.Text, crlf.Subject, crlf.Requester = "a <b> & c\r\nline 2\r\n\r\n> quoted\r\n", "Re: <x> \"y\"\r\n", "José \"Pepe\" <p@x>"
	for _, data := range []Data{sampleData, {}, crlf} {
		for _, lang := range s.Languages() {
			for _, name := range names {
				got, err := s.Render(lang, name, data)
				want, werr := s.renderReference(lang, name, data)
				if (err != nil) != (werr != nil) {
					t.Fatalf("%s/%s: error %v, reference %v", lang, name, err, werr)
				}
				if got != want {
					t.Errorf("%s/%s differs:\n%q\nreference:\n%q", lang, name, got, want)
				}
			}
		}
	}
}

// TestStripOwnPrefixMatchesPattern: refusing a subject by its first rune
// never refuses one the pattern strips, for every prefix in every
// language, in any case, after any white space, and for other subjects.
func TestStripOwnPrefixMatchesPattern(t *testing.T) {
	s, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	subjects := []string{"", " ", "No puedo imprimir", "Re: algo", "123 x", "ñandú", "Éxito", "\u212aelvin", "ſ"}
	for _, e := range s.entries {
		key, tt := e.key, s.textOf(e).all
		var b bytes.Buffer
		if err := tt.ExecuteTemplate(&b, "subject", sampleData); err == nil {
			subject := b.String()
			subjects = append(subjects, subject, strings.ToUpper(subject), strings.ToLower(subject), " \t"+subject,
				strings.NewReplacer("k", "\u212a", "s", "ſ", "S", "ſ").Replace(subject), strings.ReplaceAll(subject, " ", "\t  "))
			if _, rest, ok := strings.Cut(subject, "] "); ok {
				subjects = append(subjects, rest, strings.ToUpper(rest), "\n "+strings.ToLower(rest),
					strings.NewReplacer("k", "\u212a", "s", "ſ", "S", "ſ").Replace(rest), strings.ReplaceAll(rest, " ", " \t"), rest[:len(rest)/2])
			}
		} else {
			t.Fatalf("%s: %v", key, err)
		}
	}
	for _, subject := range subjects {
		got, gotOK := s.StripOwnPrefix(subject)
		want, wantOK := subject, false
		if loc := s.prefixes().re().FindStringIndex(subject); loc != nil && loc[1] > 0 {
			want, wantOK = subject[loc[1]:], true
		}
		if got != want || gotOK != wantOK {
			t.Errorf("%q: stripped to %q, %v; the pattern: %q, %v", subject, got, gotOK, want, wantOK)
		}
	}
}

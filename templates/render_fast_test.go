package templates

import (
	"bytes"
	"testing"
)

// renderReference is Render as it was before it reused its buffers and
// passed Data by pointer.
func (s *Set) renderReference(lang Language, name Name, data Data) (Rendered, error) {
	key := string(lang) + "/" + string(name)
	tt := s.text[key]
	var subj, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subj, "subject", data); err != nil {
		return Rendered{}, err
	}
	if err := tt.Execute(&text, data); err != nil {
		return Rendered{}, err
	}
	if err := s.html[key].ExecuteTemplate(&html, "layout", data); err != nil {
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

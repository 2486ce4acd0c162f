package mailparse

import "testing"

// TestContentLanguage: the primary subtag of the first tag, lower case;
// nothing for a missing or malformed header.
func TestContentLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"":                                "",
		"Content-Language: en-US\r\n":     "en",
		"Content-Language: PT-br, en\r\n": "pt",
		"Content-Language: es\r\n":        "es",
		"Content-Language: <script>\r\n":  "",
		"Content-Language: x\r\n":         "",
		"Content-Language: e1\r\n":        "",
	} {
		raw := "From: a@example.com\r\nTo: soporte@example.com\r\nSubject: hi\r\nMessage-Id: <1@x>\r\n" + header + "\r\nHello\r\n"
		in, err := Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if in.ContentLanguage != want {
			t.Errorf("%q: %q, want %q", header, in.ContentLanguage, want)
		}
	}
}

package tickets

import (
	"strings"
	"testing"
)

// withRefConcat is withRef as it was written before it took the
// renderer's buffers: the reference it is held equal to.
func withRefConcat(text, html, msgID string) (string, string) {
	text = strings.TrimRight(text, "\n")
	sep := ""
	if !strings.HasPrefix(text, "-- \n") && !strings.Contains(text, "\n-- \n") {
		sep = "\n\n-- "
	}
	text = text + sep + "\n" + refPrefix + msgID + "\n"
	if html != "" {
		line := `<p style="margin:16px 0 0 0;color:#999999;font-size:11px;">` + refPrefix + msgID + `</p>`
		if i := strings.LastIndex(html, "</body>"); i >= 0 {
			html = html[:i] + line + "\n" + html[i:]
		} else {
			html += line
		}
	}
	return text, html
}

// TestWithRef: the reference line lands in the signature block (a new
// one when the text has none) and before the HTML's last </body>.
func TestWithRef(t *testing.T) {
	const id = "ticketd.1.2.abc@example.com"
	for _, text := range []string{"", "\n", "Hola\n", "Hola\n\n\n", "Hola\n-- \nMesa\n", "-- \nMesa", "a -- \nb\n"} {
		for _, html := range []string{"", "<p>x</p>", "<html><body><p>x</p></body></html>\n", "</body></body>"} {
			gotT, gotH := withRef([]byte(text), []byte(html), id)
			wantT, wantH := withRefConcat(text, html, id)
			if gotT != wantT || gotH != wantH {
				t.Errorf("withRef(%q, %q) = %q, %q; want %q, %q", text, html, gotT, gotH, wantT, wantH)
			}
		}
	}
	if text, _ := withRef([]byte("Hola\n"), nil, id); text != "Hola\n\n-- \nref:"+id+"\n" {
		t.Errorf("text = %q", text)
	}
}

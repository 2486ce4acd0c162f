package mailparse

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"entities", "<p>caf&eacute; &amp; t&#233; &lt;ok&gt;&nbsp;fin</p>", "café & té <ok> fin"},
		{"script-style", "<style>.x{}</style><script>var a = '<p>';</script>Hola", "Hola"},
		{"br", "uno<br>dos<br/>tres", "uno\ndos\ntres"},
		{"many-br", "uno<br><br><br><br>dos", "uno\n\ndos"},
		{"paragraphs", "<p>uno</p><p>dos</p>", "uno\n\ndos"},
		{"gmail-divs", "<div>uno</div><div><br></div><div>dos</div>", "uno\n\ndos"},
		{"list", "<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
		{"link", `ver <a href="https://x.example/a?b=1&amp;c=2">el wiki</a>.`, "ver el wiki (https://x.example/a?b=1&c=2)."},
		{"link-same", `<a href="https://x.example/">https://x.example</a>`, "https://x.example"},
		{"mailto", `<a href="mailto:ana@x.es">ana@x.es</a>`, "ana@x.es"},
		{"mailto-named", `<a href="mailto:ana@x.es">Ana</a>`, "Ana (mailto:ana@x.es)"},
		{"js-link", `<a href="javascript:alert(1)">clic</a>`, "clic"},
		{"image-link", `<a href="https://x.es"><img src="cid:1"></a>`, "https://x.es"},
		{"whitespace", "  muchos \n\t espacios   aquí ", "muchos espacios aquí"},
		{"pre", "<pre>  a\n    b</pre>after", "a\n    b\n\nafter"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"unclosed-head", "<html><head><title>T</title><body>Texto", "Texto"},
		{"outlook-xml", "<xml><o:OfficeDocumentSettings>96</o:OfficeDocumentSettings></xml><p class=MsoNormal>Hola<o:p></o:p></p>", "Hola"},
		{"comment", "a<!-- hidden -->b", "ab"},
		{"broken", "<p>texto <b>sin cerrar <a href='https://x.es'>link", "texto sin cerrar link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

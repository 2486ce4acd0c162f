package templates

import (
	"bytes"
	htmltemplate "html/template"
	"reflect"
	"unicode/utf8"
)

// call compiles a call of a function of the set or of a builtin that
// compile knows; types are the arguments' static types (nil: unknown).
func (c *compiler) call(name string, args []eval, types []reflect.Type) (eval, reflect.Type, error) {
	switch name {
	case "eq":
		if len(args) < 2 {
			return nil, nil, errNotCompiled
		}
		return func(root, dot reflect.Value) (reflect.Value, error) {
			x, err := args[0](root, dot)
			if err != nil {
				return reflect.Value{}, err
			}
			for _, a := range args[1:] {
				y, err := a(root, dot)
				if err != nil {
					return reflect.Value{}, err
				}
				same, err := equal(x, y)
				if err != nil {
					return reflect.Value{}, err
				}
				if same {
					return reflect.ValueOf(true), nil
				}
			}
			return reflect.ValueOf(false), nil
		}, boolType, nil
	case "not":
		if len(args) != 1 {
			return nil, nil, errNotCompiled
		}
		return func(root, dot reflect.Value) (reflect.Value, error) {
			v, err := args[0](root, dot)
			if err != nil {
				return reflect.Value{}, err
			}
			ok, err := truth(v)
			return reflect.ValueOf(!ok), err
		}, boolType, nil
	case "and", "or":
		if len(args) == 0 {
			return nil, nil, errNotCompiled
		}
		// Like text/template: the first argument that decides (false for
		// and, true for or), else the last; the rest is not evaluated.
		decides := name == "or"
		typ := types[0]
		for _, t := range types[1:] {
			if t != typ {
				typ = nil
			}
		}
		return func(root, dot reflect.Value) (reflect.Value, error) {
			var v reflect.Value
			for _, a := range args {
				var err error
				if v, err = a(root, dot); err != nil {
					return reflect.Value{}, err
				}
				ok, err := truth(v)
				if err != nil {
					return reflect.Value{}, err
				}
				if ok == decides {
					return v, nil
				}
			}
			return v, nil
		}, typ, nil
	case "len":
		if len(args) != 1 {
			return nil, nil, errNotCompiled
		}
		return func(root, dot reflect.Value) (reflect.Value, error) {
			v, err := args[0](root, dot)
			if err != nil {
				return reflect.Value{}, err
			}
			switch v.Kind() {
			case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
				return reflect.ValueOf(v.Len()), nil
			}
			return reflect.Value{}, errFallback
		}, intType, nil
	}
	fn, ok := c.funcs[name]
	if !ok {
		return nil, nil, errNotCompiled
	}
	// The shapes of textFuncs and htmlFuncs, called directly.
	switch f := fn.(type) {
	case func() string:
		if len(args) != 0 {
			return nil, nil, errNotCompiled
		}
		return func(_, _ reflect.Value) (reflect.Value, error) { return reflect.ValueOf(f()), nil }, stringType, nil
	case func(string) string:
		return stringFunc(f, args, stringType)
	case func(string) htmltemplate.HTML:
		return stringFunc(f, args, htmlType)
	}
	return nil, nil, errNotCompiled
}

// stringFunc calls f, a function of one string (text or HTML output of
// typ), on its one argument.
func stringFunc[T any](f func(string) T, args []eval, typ reflect.Type) (eval, reflect.Type, error) {
	if len(args) != 1 {
		return nil, nil, errNotCompiled
	}
	a := args[0]
	return func(root, dot reflect.Value) (reflect.Value, error) {
		s, err := stringArg(a, root, dot)
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(f(s)), nil
	}, typ, nil
}

// stringArg evaluates an argument a func(string) takes: text/template
// passes a string as it is and refuses other types (here: falls back).
func stringArg(a eval, root, dot reflect.Value) (string, error) {
	v, err := a(root, dot)
	if err != nil {
		return "", err
	}
	if !v.IsValid() || v.Type() != stringType {
		return "", errFallback
	}
	return v.String(), nil
}

// equal is text/template's eq of two basic values of the same kind.
func equal(x, y reflect.Value) (bool, error) {
	if !x.IsValid() || !y.IsValid() {
		return false, errFallback
	}
	switch {
	case x.Kind() == reflect.String && y.Kind() == reflect.String:
		return x.String() == y.String(), nil
	case x.Kind() == reflect.Bool && y.Kind() == reflect.Bool:
		return x.Bool() == y.Bool(), nil
	case x.CanInt() && y.CanInt():
		return x.Int() == y.Int(), nil
	case x.CanUint() && y.CanUint():
		return x.Uint() == y.Uint(), nil
	}
	return false, errFallback
}

// htmlReplacement is html/template's htmlReplacementTable: what its
// html, attribute and RCDATA escapers replace in plain text.
var htmlReplacement = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// writeEscaped writes s as html/template's htmlReplacer(s,
// htmlReplacementTable, true) returns it, without making the string:
// only runes of the table are replaced; invalid UTF-8 decodes to
// U+FFFD, beyond the table, and is copied as it is.
func writeEscaped(w *bytes.Buffer, s string) {
	written := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= utf8.RuneSelf || int(b) >= len(htmlReplacement) {
			continue // a multi-byte rune's bytes are all ≥ 0x80: never in the table
		}
		if repl := htmlReplacement[b]; repl != "" {
			w.WriteString(s[written:i])
			w.WriteString(repl)
			written = i + 1
		}
	}
	w.WriteString(s[written:])
}

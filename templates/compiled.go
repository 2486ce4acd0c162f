package templates

import (
	"bytes"
	"errors"
	htmltemplate "html/template"
	"reflect"
	"strconv"
	"text/template/parse"
)

// Every mail ticketd queues is rendered three times (subject, text, HTML),
// and text/template's general machinery — reflective field lookups and
// function calls through reflect.Value.Call, html/template's escapers
// called with ...any — was a quarter of applying a message. A template's
// parse tree is therefore compiled once, at parse time, into closures
// that do the same with the types known: fields by index, the package's
// own functions called directly, the escapers writing into the buffer.
//
// Only what the shipped templates use is compiled: text, fields and
// methods of the data, $, the functions of textFuncs/htmlFuncs, eq, and,
// or, not, if/with/range (without variables) and {{template}}. A tree
// with anything else is not compiled and runs on text/template as before;
// a value the compiled code is not sure to print exactly as
// text/template would (a nil pointer, an unknown type) stops it with
// errFallback, and Render runs text/template instead. Both give the same
// bytes (TestCompiledMatchesTemplate).

// errFallback stops a compiled template: run text/template instead.
var errFallback = errors.New("templates: compiled template cannot render this value")

// program renders one template with data as dot and $.
type program func(w *bytes.Buffer, data *Data) error

// exec runs a compiled node with root ($) and dot.
type exec func(w *bytes.Buffer, root, dot reflect.Value) error

// eval computes a value.
type eval func(root, dot reflect.Value) (reflect.Value, error)

// escaper is how an HTML template's action is written: html/template
// appends one of its escapers to every pipeline.
type escaper int

const (
	escNone   escaper = iota // a text template: printed as fmt.Fprint would
	escHTML                  // _html_template_htmlescaper
	escAttr                  // _html_template_attrescaper
	escRCDATA                // _html_template_rcdataescaper
)

var escapers = map[string]escaper{
	"_html_template_htmlescaper":   escHTML,
	"_html_template_attrescaper":   escAttr,
	"_html_template_rcdataescaper": escRCDATA,
}

var (
	dataType   = reflect.TypeFor[Data]()
	stringType = reflect.TypeFor[string]()
	htmlType   = reflect.TypeFor[htmltemplate.HTML]()
	boolType   = reflect.TypeFor[bool]()
	intType    = reflect.TypeFor[int]()
)

// compiler compiles the trees of one template set.
type compiler struct {
	funcs  map[string]any                // the set's functions (textFuncs or htmlFuncs)
	lookup func(name string) *parse.Tree // another template of the set, for {{template}}
	// inProgress guards against recursive {{template}} calls.
	inProgress map[string]bool
}

// errNotCompiled: the tree uses something compile does not handle.
var errNotCompiled = errors.New("not compiled")

// compile compiles tree with Data as dot, or returns nil when it cannot.
func compileProgram(tree *parse.Tree, funcs map[string]any, lookup func(string) *parse.Tree) program {
	if tree == nil || tree.Root == nil {
		return nil
	}
	c := &compiler{funcs: funcs, lookup: lookup, inProgress: map[string]bool{}}
	run, err := c.list(tree.Root, dataType)
	if err != nil {
		return nil
	}
	return func(w *bytes.Buffer, data *Data) error {
		v := reflect.ValueOf(data).Elem()
		return run(w, v, v)
	}
}

func (c *compiler) list(l *parse.ListNode, dot reflect.Type) (exec, error) {
	if l == nil {
		return func(*bytes.Buffer, reflect.Value, reflect.Value) error { return nil }, nil
	}
	var parts []exec
	for _, n := range l.Nodes {
		e, err := c.node(n, dot)
		if err != nil {
			return nil, err
		}
		if e != nil {
			parts = append(parts, e)
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return func(w *bytes.Buffer, root, dot reflect.Value) error {
		for _, p := range parts {
			if err := p(w, root, dot); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func (c *compiler) node(n parse.Node, dot reflect.Type) (exec, error) {
	switch n := n.(type) {
	case *parse.TextNode:
		text := bytes.Clone(n.Text)
		return func(w *bytes.Buffer, _, _ reflect.Value) error { w.Write(text); return nil }, nil
	case *parse.CommentNode:
		return nil, nil
	case *parse.ActionNode:
		return c.action(n.Pipe, dot)
	case *parse.IfNode:
		return c.branch(&n.BranchNode, dot, false)
	case *parse.WithNode:
		return c.branch(&n.BranchNode, dot, true)
	case *parse.RangeNode:
		return c.rangeNode(n, dot)
	case *parse.TemplateNode:
		return c.template(n, dot)
	case *parse.ListNode:
		return c.list(n, dot)
	}
	return nil, errNotCompiled
}

// action prints a pipeline, escaped by html/template's escaper if it
// ends with one.
func (c *compiler) action(p *parse.PipeNode, dot reflect.Type) (exec, error) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) == 0 {
		return nil, errNotCompiled
	}
	cmds, esc := p.Cmds, escNone
	if last := cmds[len(cmds)-1]; len(last.Args) == 1 {
		if id, ok := last.Args[0].(*parse.IdentifierNode); ok {
			if e, ok := escapers[id.Ident]; ok {
				cmds, esc = cmds[:len(cmds)-1], e
			}
		}
	}
	value, _, err := c.cmds(cmds, dot)
	if err != nil {
		return nil, err
	}
	return func(w *bytes.Buffer, root, dot reflect.Value) error {
		v, err := value(root, dot)
		if err != nil {
			return err
		}
		return print(w, v, esc)
	}, nil
}

// cmds compiles a pipeline's commands: each one's value is the last
// argument of the next.
func (c *compiler) cmds(cmds []*parse.CommandNode, dot reflect.Type) (eval, reflect.Type, error) {
	if len(cmds) == 0 {
		return nil, nil, errNotCompiled
	}
	var prev eval
	var typ reflect.Type
	for _, cmd := range cmds {
		e, t, err := c.command(cmd, dot, prev)
		if err != nil {
			return nil, nil, err
		}
		prev, typ = e, t
	}
	return prev, typ, nil
}

// command compiles one command; piped is the value of the command before
// it in the pipeline (nil for the first).
func (c *compiler) command(cmd *parse.CommandNode, dot reflect.Type, piped eval) (eval, reflect.Type, error) {
	if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
		args := make([]eval, 0, len(cmd.Args))
		types := make([]reflect.Type, 0, len(cmd.Args))
		for _, a := range cmd.Args[1:] {
			e, t, err := c.arg(a, dot)
			if err != nil {
				return nil, nil, err
			}
			args, types = append(args, e), append(types, t)
		}
		if piped != nil {
			args, types = append(args, piped), append(types, nil)
		}
		return c.call(id.Ident, args, types)
	}
	if len(cmd.Args) != 1 || piped != nil {
		return nil, nil, errNotCompiled
	}
	return c.arg(cmd.Args[0], dot)
}

// arg compiles an operand.
func (c *compiler) arg(n parse.Node, dot reflect.Type) (eval, reflect.Type, error) {
	switch n := n.(type) {
	case *parse.DotNode:
		return func(_, dot reflect.Value) (reflect.Value, error) { return dot, nil }, dot, nil
	case *parse.FieldNode:
		return c.fields(n.Ident, dot, false)
	case *parse.VariableNode:
		if n.Ident[0] != "$" {
			return nil, nil, errNotCompiled
		}
		return c.fields(n.Ident[1:], dataType, true)
	case *parse.StringNode:
		v := reflect.ValueOf(n.Text)
		return func(_, _ reflect.Value) (reflect.Value, error) { return v, nil }, stringType, nil
	case *parse.BoolNode:
		v := reflect.ValueOf(n.True)
		return func(_, _ reflect.Value) (reflect.Value, error) { return v, nil }, boolType, nil
	case *parse.NumberNode:
		if !n.IsInt || n.IsFloat && n.Text != strconv.FormatInt(n.Int64, 10) {
			return nil, nil, errNotCompiled
		}
		v := reflect.ValueOf(int(n.Int64))
		return func(_, _ reflect.Value) (reflect.Value, error) { return v, nil }, intType, nil
	case *parse.PipeNode:
		if len(n.Decl) > 0 {
			return nil, nil, errNotCompiled
		}
		return c.cmds(n.Cmds, dot)
	case *parse.IdentifierNode:
		return c.call(n.Ident, nil, nil)
	}
	return nil, nil, errNotCompiled
}

// fields compiles .A.B on dot (or on $ when fromRoot), resolving each
// name to a method or a field index of the type known here, as
// text/template resolves it (a method first).
func (c *compiler) fields(names []string, typ reflect.Type, fromRoot bool) (eval, reflect.Type, error) {
	steps := make([]func(reflect.Value) (reflect.Value, error), 0, len(names))
	for _, name := range names {
		step, next, err := fieldStep(typ, name)
		if err != nil {
			return nil, nil, err
		}
		steps, typ = append(steps, step), next
	}
	return func(root, dot reflect.Value) (reflect.Value, error) {
		v := dot
		if fromRoot {
			v = root
		}
		for _, step := range steps {
			var err error
			if v, err = step(v); err != nil {
				return reflect.Value{}, err
			}
		}
		return v, nil
	}, typ, nil
}

// fieldStep resolves one name on values of typ (a struct, or a pointer to
// one).
func fieldStep(typ reflect.Type, name string) (func(reflect.Value) (reflect.Value, error), reflect.Type, error) {
	if typ == nil {
		return nil, nil, errNotCompiled
	}
	ptr := typ.Kind() == reflect.Pointer
	elem := typ
	if ptr {
		elem = typ.Elem()
	}
	if elem.Kind() != reflect.Struct {
		return nil, nil, errNotCompiled
	}
	if m, ok := reflect.PointerTo(elem).MethodByName(name); ok {
		if m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0) != stringType {
			return nil, nil, errNotCompiled
		}
		idx := m.Index
		return func(v reflect.Value) (reflect.Value, error) {
			if ptr {
				if v.IsNil() {
					return reflect.Value{}, errFallback
				}
			} else if !v.CanAddr() {
				return reflect.Value{}, errFallback
			} else {
				v = v.Addr()
			}
			f, ok := v.Method(idx).Interface().(func() string)
			if !ok {
				return reflect.Value{}, errFallback
			}
			return reflect.ValueOf(f()), nil
		}, stringType, nil
	}
	f, ok := elem.FieldByName(name)
	if !ok || !f.IsExported() || len(f.Index) != 1 {
		return nil, nil, errNotCompiled
	}
	idx := f.Index[0]
	return func(v reflect.Value) (reflect.Value, error) {
		if ptr {
			if v.IsNil() {
				return reflect.Value{}, errFallback
			}
			v = v.Elem()
		}
		return v.Field(idx), nil
	}, f.Type, nil
}

// template compiles {{template "name" pipeline}}.
func (c *compiler) template(n *parse.TemplateNode, dot reflect.Type) (exec, error) {
	tree := c.lookup(n.Name)
	if tree == nil || c.inProgress[n.Name] {
		return nil, errNotCompiled
	}
	argType := dot
	var arg eval
	if n.Pipe != nil {
		var err error
		if arg, argType, err = c.pipe(n.Pipe, dot); err != nil {
			return nil, err
		}
	}
	c.inProgress[n.Name] = true
	body, err := c.list(tree.Root, argType)
	delete(c.inProgress, n.Name)
	if err != nil {
		return nil, err
	}
	return func(w *bytes.Buffer, root, dot reflect.Value) error {
		if arg != nil {
			v, err := arg(root, dot)
			if err != nil {
				return err
			}
			dot = v
		} else {
			dot = reflect.Value{}
		}
		return body(w, root, dot)
	}, nil
}

// pipe compiles a pipeline that declares no variables.
func (c *compiler) pipe(p *parse.PipeNode, dot reflect.Type) (eval, reflect.Type, error) {
	if p == nil || len(p.Decl) > 0 {
		return nil, nil, errNotCompiled
	}
	return c.cmds(p.Cmds, dot)
}

// branch compiles if and with.
func (c *compiler) branch(n *parse.BranchNode, dot reflect.Type, with bool) (exec, error) {
	cond, typ, err := c.pipe(n.Pipe, dot)
	if err != nil {
		return nil, err
	}
	inner := dot
	if with {
		if typ == nil {
			return nil, errNotCompiled
		}
		inner = typ
	}
	then, err := c.list(n.List, inner)
	if err != nil {
		return nil, err
	}
	otherwise, err := c.list(n.ElseList, dot)
	if err != nil {
		return nil, err
	}
	return func(w *bytes.Buffer, root, dot reflect.Value) error {
		v, err := cond(root, dot)
		if err != nil {
			return err
		}
		ok, err := truth(v)
		if err != nil {
			return err
		}
		if !ok {
			return otherwise(w, root, dot)
		}
		if with {
			return then(w, root, v)
		}
		return then(w, root, dot)
	}, nil
}

// rangeNode compiles {{range}} over a slice, without variables.
func (c *compiler) rangeNode(n *parse.RangeNode, dot reflect.Type) (exec, error) {
	over, typ, err := c.pipe(n.Pipe, dot)
	if err != nil {
		return nil, err
	}
	if typ == nil || typ.Kind() != reflect.Slice {
		return nil, errNotCompiled
	}
	body, err := c.list(n.List, typ.Elem())
	if err != nil {
		return nil, err
	}
	otherwise, err := c.list(n.ElseList, dot)
	if err != nil {
		return nil, err
	}
	return func(w *bytes.Buffer, root, dot reflect.Value) error {
		v, err := over(root, dot)
		if err != nil {
			return err
		}
		if v.Kind() != reflect.Slice {
			return errFallback
		}
		if v.Len() == 0 {
			return otherwise(w, root, dot)
		}
		for i := range v.Len() {
			if err := body(w, root, v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// truth is text/template's truth of a value for if, with, and, or, not.
func truth(v reflect.Value) (bool, error) {
	if !v.IsValid() {
		return false, errFallback
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() > 0, nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() != 0, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() != 0, nil
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil(), nil
	case reflect.Struct:
		return true, nil
	}
	return false, errFallback
}

// print writes v as text/template prints it, through esc. Only types
// whose printing is certain are written; others stop with errFallback.
func print(w *bytes.Buffer, v reflect.Value, esc escaper) error {
	if !v.IsValid() {
		return errFallback
	}
	switch t := v.Type(); t {
	case stringType:
		if esc == escNone {
			w.WriteString(v.String())
		} else {
			writeEscaped(w, v.String())
		}
	case htmlType:
		switch esc {
		case escNone, escHTML: // htmlEscaper lets HTML content through
			w.WriteString(v.String())
		default: // attr and rcdata escapers normalise it: not needed here
			return errFallback
		}
	case reflect.TypeFor[int](), reflect.TypeFor[int64]():
		w.Write(strconv.AppendInt(w.AvailableBuffer(), v.Int(), 10))
	case reflect.TypeFor[uint64](), reflect.TypeFor[uint](), reflect.TypeFor[uint32]():
		w.Write(strconv.AppendUint(w.AvailableBuffer(), v.Uint(), 10))
	case boolType:
		w.WriteString(strconv.FormatBool(v.Bool()))
	default:
		return errFallback
	}
	return nil
}

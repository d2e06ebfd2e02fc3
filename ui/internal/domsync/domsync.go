//go:build js && wasm

// Package domsync renders Vugu build output into the page through syscall/js, touching only what
// changed since the previous render. It replaces Vugu v0.4's domrender for two reasons:
//   - domrender installs its JavaScript half with window.eval, so the page cannot run under a
//     Content-Security-Policy without 'unsafe-eval' (the JS module runs under one); domsync needs no
//     JavaScript of its own;
//   - domrender does not diff: every render re-sets every attribute and text of the page, and
//     during long background jobs (the shuffle experiment) those whole-page style and layout passes
//     made long frames. domsync keeps a mirror of what it last wrote and writes only the difference,
//     and renders at most once per animation frame (EventWait).
//
// The reconciliation is positional, as in domrender: the i-th child of the build output is synced
// with the i-th DOM child, replaced when its kind or tag differs; extra DOM children are removed.
package domsync

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"github.com/vugu/vugu"
	vjs "github.com/vugu/vugu/js"
)

// Renderer syncs the build output of a root component into the element a selector names.
type Renderer struct {
	selector string
	mu       sync.RWMutex
	wait     chan bool
	env      *vugu.EventEnvImpl

	doc, root js.Value
	mirror    *node
	frame     js.Func   // requestAnimationFrame callback
	frameCh   chan bool // signalled by frame
	active    js.Value  // the DOM event being handled (DOMEvent.JSEvent and friends)
	helpers   []js.Func
	rendered  map[any]bool // components that have rendered before (RenderedCtx.First)
}

// node mirrors one DOM node as domsync last wrote it.
type node struct {
	el       js.Value
	typ      vugu.VGNodeType
	data     string // tag name, or the text of a text or comment node
	ns       string // namespace URI of an element, "" for HTML
	attrs    []vugu.VGAttribute
	props    []vugu.VGProperty
	html     *string
	kids     []*node
	handlers map[string]*handler // by eventKey
}

// New returns a renderer for the element selector names (it must exist when Render first runs).
func New(selector string) *Renderer {
	r := &Renderer{selector: selector, wait: make(chan bool, 64), frameCh: make(chan bool, 1), rendered: map[any]bool{}}
	r.env = vugu.NewEventEnvImpl(&r.mu, r.wait)
	r.doc = js.Global().Get("document")
	r.frame = js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case r.frameCh <- true:
		default:
		}
		return nil
	})
	// vugu.DOMEvent's JSEvent, JSEventTarget, JSEventCurrentTarget, PreventDefault and
	// StopPropagation call these window functions (domrender defines them in its helper script).
	for name, f := range map[string]func() any{
		"vuguGetActiveEvent":              func() any { return r.active },
		"vuguGetActiveEventTarget":        func() any { return r.activeProp("target") },
		"vuguGetActiveEventCurrentTarget": func() any { return r.activeProp("currentTarget") },
		"vuguActiveEventPreventDefault":   func() any { r.activeCall("preventDefault"); return nil },
		"vuguActiveEventStopPropagation":  func() any { r.activeCall("stopPropagation"); return nil },
	} {
		f := f
		fn := js.FuncOf(func(js.Value, []js.Value) any { return f() })
		r.helpers = append(r.helpers, fn)
		js.Global().Set(name, fn)
	}
	r.active = js.Undefined()
	return r
}

// EventEnv is the lock and render request of the page's state.
func (r *Renderer) EventEnv() vugu.EventEnv { return r.env }

// EventWait blocks until a render is due and reports whether the render loop should go on. Render
// requests are coalesced to one per animation frame, so background progress that asks for a
// render after every batch costs at most one render per frame.
func (r *Renderer) EventWait() bool {
	if ok := <-r.wait; !ok {
		return false
	}
	js.Global().Call("requestAnimationFrame", r.frame)
	<-r.frameCh
	for {
		select {
		case ok := <-r.wait:
			if !ok {
				return false
			}
		default:
			return true
		}
	}
}

// Release frees the JS functions the renderer created.
func (r *Renderer) Release() {
	r.frame.Release()
	for _, f := range r.helpers {
		f.Release()
	}
	r.release(r.mirror)
}

func (r *Renderer) release(n *node) {
	if n == nil {
		return
	}
	for _, h := range n.handlers {
		n.el.Call("removeEventListener", h.spec.EventType, h.fn, listenerOptions(h.spec))
		h.fn.Release()
	}
	for _, k := range n.kids {
		r.release(k)
	}
}

// Render syncs the page with a build, then calls Rendered on the components that have it.
func (r *Renderer) Render(br *vugu.BuildResults) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if br == nil || br.Out == nil || len(br.Out.Out) != 1 || br.Out.Out[0].Type != vugu.ElementNode {
		return errors.New("domsync: the root component must build exactly one element")
	}
	var comps []any
	if err := collect(br, br.Out, &comps, map[any]bool{}); err != nil {
		return err
	}
	top := br.Out.Out[0]
	created := r.mirror == nil
	if created {
		el := r.doc.Call("querySelector", r.selector)
		if !el.Truthy() {
			return fmt.Errorf("domsync: no element matches %q", r.selector)
		}
		r.root = el
		el.Set("textContent", "") // the mirror starts empty, so must the mount point
		r.mirror = &node{el: el, typ: vugu.ElementNode, data: el.Get("localName").String()}
		as := el.Get("attributes") // known, so that attributes the root does not set are removed
		for i := 0; i < as.Length(); i++ {
			r.mirror.attrs = append(r.mirror.attrs, vugu.VGAttribute{Key: as.Index(i).Get("name").String(), Val: as.Index(i).Get("value").String()})
		}
	}
	if !r.mirror.same(top) { // the mount point is not of the root's tag: replace it
		fresh := r.create(top)
		r.root.Get("parentNode").Call("replaceChild", fresh.el, r.root)
		r.release(r.mirror)
		r.mirror, r.root = fresh, fresh.el
		created = true
	}
	if err := r.sync(br, r.mirror, top, created); err != nil {
		return err
	}
	seen := make(map[any]bool, len(comps))
	for _, c := range comps {
		seen[c] = true
		ctx := &renderedCtx{env: r.env, first: !r.rendered[c]}
		switch c := c.(type) {
		case interface{ Rendered() }:
			c.Rendered()
		case interface{ Rendered(vugu.RenderedCtx) }:
			c.Rendered(ctx)
		}
	}
	r.rendered = seen
	return nil
}

// collect lists the components below the root of a build, parents first, and refuses the CSS
// output domsync does not write (the lab's styles are a static file).
func collect(br *vugu.BuildResults, bo *vugu.BuildOut, out *[]any, seen map[any]bool) error {
	if len(bo.CSS) > 0 {
		return errors.New("domsync: components with <style> or <link> tags are not supported; put styles in the page's CSS file")
	}
	for _, c := range bo.Components {
		if seen[c] {
			continue
		}
		seen[c] = true
		*out = append(*out, c)
		sub := br.ResultFor(c)
		if sub == nil {
			return fmt.Errorf("domsync: no build output for component %T", c)
		}
		if err := collect(br, sub, out, seen); err != nil {
			return err
		}
	}
	return nil
}

type renderedCtx struct {
	env   vugu.EventEnv
	first bool
}

func (c *renderedCtx) EventEnv() vugu.EventEnv { return c.env }
func (c *renderedCtx) First() bool             { return c.first }

// nsURI resolves Vugu's namespace names (as domrender does).
func nsURI(ns string) string {
	switch ns {
	case "svg":
		return "http://www.w3.org/2000/svg"
	case "math":
		return "http://www.w3.org/1998/Math/MathML"
	case "xlink":
		return "http://www.w3.org/1999/xlink"
	case "xml":
		return "http://www.w3.org/XML/1998/namespace"
	}
	return ""
}

// same reports whether DOM node m can be synced with v in place.
func (m *node) same(v *vugu.VGNode) bool {
	if m.typ != v.Type {
		return false
	}
	return v.Type != vugu.ElementNode || (m.data == v.Data && m.ns == nsURI(v.Namespace))
}

// create makes a new DOM node for v (attributes and children follow in sync).
func (r *Renderer) create(v *vugu.VGNode) *node {
	m := &node{typ: v.Type, data: v.Data}
	switch v.Type {
	case vugu.TextNode:
		m.el = r.doc.Call("createTextNode", v.Data)
	case vugu.CommentNode:
		m.el = r.doc.Call("createComment", v.Data)
	default:
		m.ns = nsURI(v.Namespace)
		if m.ns != "" {
			m.el = r.doc.Call("createElementNS", m.ns, v.Data)
		} else {
			m.el = r.doc.Call("createElement", v.Data)
		}
	}
	return m
}

// flatten appends the nodes v stands for: a component's output, a template's children, or v.
func flatten(br *vugu.BuildResults, v *vugu.VGNode, out []*vugu.VGNode) ([]*vugu.VGNode, error) {
	switch {
	case v.Component != nil:
		bo := br.ResultFor(v.Component)
		if bo == nil || len(bo.Out) != 1 {
			return out, fmt.Errorf("domsync: component %T must build exactly one node", v.Component)
		}
		return flatten(br, bo.Out[0], out)
	case v.IsTemplate():
		var err error
		for c := v.FirstChild; c != nil && err == nil; c = c.NextSibling {
			out, err = flatten(br, c, out)
		}
		return out, err
	}
	return append(out, v), nil
}

// sync brings DOM node m in line with v (same kind and tag). For a node just created, v's
// vg-js-create handler runs once its attributes are set, before its children (as in domrender).
func (r *Renderer) sync(br *vugu.BuildResults, m *node, v *vugu.VGNode, created bool) error {
	if v.Type != vugu.ElementNode {
		if m.data != v.Data {
			m.el.Set("data", v.Data)
			m.data = v.Data
		}
		return nil
	}
	r.syncAttrs(m, v.Attr)
	for _, p := range v.Prop {
		if !m.hasProp(p) {
			m.el.Set(p.Key, js.Global().Get("JSON").Call("parse", string(p.JSONVal)))
		}
	}
	m.props = append(m.props[:0], v.Prop...)
	r.syncHandlers(m, v.DOMEventHandlerSpecList)
	if created && v.JSCreateHandler != nil {
		v.JSCreateHandler.JSValueHandle(vjs.Value(m.el))
	}
	if v.InnerHTML != nil {
		if m.html == nil || *m.html != *v.InnerHTML {
			for _, k := range m.kids {
				r.release(k)
			}
			m.kids = nil
			m.el.Set("innerHTML", *v.InnerHTML)
			h := *v.InnerHTML
			m.html = &h
		}
		return nil
	}
	if m.html != nil { // was raw HTML: start from empty
		m.el.Set("textContent", "")
		m.html = nil
	}
	var want []*vugu.VGNode
	var err error
	for c := v.FirstChild; c != nil && err == nil; c = c.NextSibling {
		want, err = flatten(br, c, want)
	}
	if err != nil {
		return err
	}
	for i, c := range want {
		if i < len(m.kids) && m.kids[i].same(c) {
			if err := r.sync(br, m.kids[i], c, false); err != nil {
				return err
			}
			continue
		}
		k := r.create(c)
		if i < len(m.kids) {
			m.el.Call("replaceChild", k.el, m.kids[i].el)
			r.release(m.kids[i])
			m.kids[i] = k
		} else {
			m.el.Call("appendChild", k.el)
			m.kids = append(m.kids, k)
		}
		if err := r.sync(br, k, c, true); err != nil {
			return err
		}
	}
	for _, k := range m.kids[len(want):] {
		m.el.Call("removeChild", k.el)
		r.release(k)
	}
	m.kids = m.kids[:len(want)]
	if v.JSPopulateHandler != nil {
		v.JSPopulateHandler.JSValueHandle(vjs.Value(m.el))
	}
	return nil
}

func (m *node) hasProp(p vugu.VGProperty) bool {
	for _, q := range m.props {
		if q.Key == p.Key {
			return bytes.Equal(q.JSONVal, p.JSONVal)
		}
	}
	return false
}

// syncAttrs writes the attributes that changed and removes those that went away. A style
// attribute goes through the CSSOM (el.style.cssText): a strict CSP (no 'unsafe-inline' styles)
// blocks style attributes set by setAttribute, not the CSSOM.
func (r *Renderer) syncAttrs(m *node, attrs []vugu.VGAttribute) {
	old := m.attrs
	for _, a := range attrs {
		if i := indexAttr(old, a); i >= 0 && old[i].Val == a.Val {
			continue
		}
		switch ns := nsURI(a.Namespace); {
		case a.Key == "style" && a.Namespace == "":
			m.el.Get("style").Set("cssText", a.Val)
		case ns != "":
			m.el.Call("setAttributeNS", ns, a.Key, a.Val)
		default:
			m.el.Call("setAttribute", a.Key, a.Val)
		}
	}
	for _, a := range old {
		if indexAttr(attrs, a) >= 0 {
			continue
		}
		if ns := nsURI(a.Namespace); ns != "" {
			m.el.Call("removeAttributeNS", ns, a.Key)
		} else {
			m.el.Call("removeAttribute", a.Key)
		}
	}
	m.attrs = append(m.attrs[:0:0], attrs...)
}

func indexAttr(list []vugu.VGAttribute, a vugu.VGAttribute) int {
	for i, b := range list {
		if b.Key == a.Key && b.Namespace == a.Namespace {
			return i
		}
	}
	return -1
}

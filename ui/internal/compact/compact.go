// Package compact removes indentation-only text nodes from vugugen's output.
//
// Vugu keeps every whitespace text node of a template, and its DOM renderer rewrites every node on
// every render (no diffing): in the lab's templates half of the nodes were indentation. Text that is
// only whitespace and contains a line break is dropped, except when it is the last child of its
// element: vugu v0.4's renderer does not remove stale DOM children of an element left with no
// children at all (an error list emptied by "Dismiss" kept showing), so every element that had
// children keeps one. Text of spaces and tabs on one line is kept (it separates inline elements).
package compact

import (
	"bytes"
	"go/format"
	"regexp"
)

var (
	indentNode = regexp.MustCompile(`^\t*vgn = &vugu\.VGNode\{Type: vugu\.VGNodeType\(1\), Data: "[ \\t]*(\\n[ \\t]*|\\r)+"\}$`)
	appendNode = regexp.MustCompile(`^\t*vgparent\.AppendChild\(vgn\)$`)
)

// Code returns the generated Go code without the droppable indentation-only text nodes, gofmt-ed.
func Code(src []byte) []byte {
	out := strip(src)
	if f, err := format.Source(out); err == nil {
		return f
	}
	return out
}

func strip(src []byte) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	out := make([]byte, 0, len(src))
	for i := 0; i < len(lines); i++ {
		if i+2 < len(lines) && indentNode.Match(bytes.TrimRight(lines[i], "\n")) && appendNode.Match(bytes.TrimRight(lines[i+1], "\n")) &&
			string(bytes.TrimSpace(lines[i+2])) != "}" {
			i++ // drop both lines
			continue
		}
		out = append(out, lines[i]...)
	}
	return out
}

package compact

import "testing"

func TestCode(t *testing.T) {
	ws := func(indent, data string) string {
		return indent + "vgn = &vugu.VGNode{Type: vugu.VGNodeType(1), Data: \"" + data + "\"}\n" + indent + "vgparent.AppendChild(vgn)\n"
	}
	in := ws("\t\t", `\n  `) + // dropped
		ws("\t\t", " ") + // kept: a space between inline elements
		ws("\t\t", `\n  x`) + // kept: text
		ws("\t", `\t\n\n\t`) + // dropped
		ws("\t", `\n`) + "\t}\n" // kept: the last child of its element
	want := ws("\t\t", " ") + ws("\t\t", `\n  x`) + ws("\t", `\n`) + "\t}\n"
	if got := string(strip([]byte(in))); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

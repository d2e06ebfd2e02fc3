package main

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/task"
)

// elements counts the elements of a well-formed XML document by name (an error if it is not).
func elements(t *testing.T, doc string) map[string]int {
	t.Helper()
	n := map[string]int{}
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if s, ok := tok.(xml.StartElement); ok {
			n[s.Name.Local]++
		}
	}
}

// fakeReport is a tasks report with three seeds at every shipped task and dial point.
func fakeReport() *tasksReport {
	rep := &tasksReport{Tasks: map[string]*taskReport{}}
	st := func(v float64) manifest.Stat { return manifest.NewStat([]float64{v - 1, v, v + 1}) }
	add := func(t task.Task, base float64) {
		rep.Tasks[t.Key()] = &taskReport{Task: t, Results: &taskResults{Seeds: []uint64{1, 2, 3}, ImageOnly: st(base), AudioOnly: st(base - 5),
			IntraOnly: st(base + 3), InterOnly: st(base + 4), I2M2: st(base + 6), I2M2Int8: st(base + 6), Chance: 50}}
	}
	add(task.Digit, 90)
	add(task.Same, 50)
	for _, m := range []float64{0.1, 0.5, 0.9} {
		dm, _ := task.DigitOrMismatch(m)
		add(dm, 60+10*m)
	}
	rep.dial()
	return rep
}

func TestTaskPlots(t *testing.T) {
	rep := fakeReport()
	if len(rep.Dial) != 3 || rep.Dial[0].M != 0.1 || rep.Dial[0].Best != "inter_only" || rep.Dial[0].Lead != 2 || !rep.Dial[0].AtLeast {
		t.Fatalf("dial: %+v", rep.Dial)
	}
	svg, err := dialSVG(rep)
	if err != nil {
		t.Fatal(err)
	}
	// five model types and the majority-class line; a marker per dial point of each model type
	if n := elements(t, svg); n["svg"] != 1 || n["polyline"] != 6 || n["circle"] != 15 {
		t.Errorf("accuracy-vs-m: %v", n)
	}
	bars, err := tasksSVG(rep)
	if err != nil {
		t.Fatal(err)
	}
	if n := elements(t, bars); n["rect"] != 2+3*5 { // background, frame, 3 tasks x 5 model types
		t.Errorf("tasks bars: %v", n)
	}
	if _, err := (&linePlot{Title: "x", XMax: 1, XStep: 0.1, YMax: 0, YStep: 1}).svg(); err == nil {
		t.Error("empty y range: no error")
	}
	if _, err := (&linePlot{Title: "x", XMax: 1, XStep: 0.5, YMax: 1, YStep: 1, Series: []plotSeries{{X: []float64{1}}}}).svg(); err == nil {
		t.Error("series with x but no y: no error")
	}
	if !strings.Contains(rep.markdown(), "| 0.1 |") {
		t.Error("markdown: no dial row")
	}
}

package main

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"

	"github.com/i2m2-wasm/i2m2/task"
)

// plotSeries is one line of a plot: points (X[i], Y[i]) with error bars ±Err[i] (nil: none).
type plotSeries struct {
	Name   string
	Color  string
	Dashed bool
	X, Y   []float64
	Err    []float64
}

// linePlot is a small self-contained SVG line chart (no outside tools, no scripts, no fonts
// beyond the generic sans-serif): axes with ticks, one polyline per series with its error bars,
// a legend on the right.
type linePlot struct {
	Title, XLabel, YLabel string
	XMin, XMax, XStep     float64
	YMin, YMax, YStep     float64
	Series                []plotSeries
}

func (p *linePlot) svg() (string, error) {
	if !(p.XMax > p.XMin && p.YMax > p.YMin && p.XStep > 0 && p.YStep > 0) {
		return "", fmt.Errorf("plot %q: bad axis ranges", p.Title)
	}
	const w, h, left, right, top, bottom = 720.0, 420.0, 60.0, 190.0, 40.0, 50.0
	pw, ph := w-left-right, h-top-bottom
	sx := func(x float64) float64 { return left + (x-p.XMin)/(p.XMax-p.XMin)*pw }
	sy := func(y float64) float64 { return top + (1-(y-p.YMin)/(p.YMax-p.YMin))*ph }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" font-family="sans-serif" font-size="12" role="img" aria-label="%s">`+"\n",
		w, h, w, h, html.EscapeString(p.Title))
	fmt.Fprintf(&b, `<title>%s</title><rect width="%g" height="%g" fill="#fff"/>`+"\n", html.EscapeString(p.Title), w, h)
	fmt.Fprintf(&b, `<text x="%g" y="22" font-size="14" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(p.Title))
	for y := p.YMin; y <= p.YMax+1e-9; y += p.YStep {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/><text x="%.1f" y="%.1f" text-anchor="end">%g</text>`+"\n",
			left, sy(y), left+pw, sy(y), left-6, sy(y)+4, math.Round(y*100)/100)
	}
	for x := p.XMin; x <= p.XMax+1e-9; x += p.XStep {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/><text x="%.1f" y="%.1f" text-anchor="middle">%g</text>`+"\n",
			sx(x), top+ph, sx(x), top+ph+5, sx(x), top+ph+18, math.Round(x*100)/100)
	}
	fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#444"/>`+"\n", left, top, pw, ph)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", left+pw/2, h-10, html.EscapeString(p.XLabel))
	fmt.Fprintf(&b, `<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", top+ph/2, html.EscapeString(p.YLabel))
	for i, s := range p.Series {
		if len(s.X) != len(s.Y) || s.Err != nil && len(s.Err) != len(s.Y) {
			return "", fmt.Errorf("plot %q: series %q: %d x, %d y, %d err", p.Title, s.Name, len(s.X), len(s.Y), len(s.Err))
		}
		idx := make([]int, len(s.X))
		for k := range idx {
			idx[k] = k
		}
		sort.Slice(idx, func(a, c int) bool { return s.X[idx[a]] < s.X[idx[c]] })
		var pts []string
		for _, k := range idx {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", sx(s.X[k]), sy(s.Y[k])))
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<g><title>%s</title><polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`, html.EscapeString(s.Name), s.Color, dash, strings.Join(pts, " "))
		for _, k := range idx {
			x, y := sx(s.X[k]), sy(s.Y[k])
			if s.Err != nil && s.Err[k] > 0 {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`, x, sy(s.Y[k]-s.Err[k]), x, sy(s.Y[k]+s.Err[k]), s.Color)
			}
			if !s.Dashed {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %g at %g</title></circle>`, x, y, s.Color, html.EscapeString(s.Name), math.Round(s.Y[k]*100)/100, s.X[k])
			}
		}
		ly := top + 10 + float64(i)*20
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/><text x="%.1f" y="%.1f">%s</text></g>`+"\n",
			left+pw+14, ly, left+pw+40, ly, s.Color, dash, left+pw+46, ly+4, html.EscapeString(s.Name))
	}
	b.WriteString("</svg>\n")
	return b.String(), nil
}

// seriesColors are distinguishable for the common colour-vision deficiencies (Okabe-Ito).
var seriesColors = map[string]string{"image_only": "#E69F00", "audio_only": "#56B4E9", "intra_only": "#009E73",
	"inter_only": "#0072B2", "i2m2": "#D55E00", "i2m2_int8": "#CC79A7", "chance": "#777777"}

// dialSVG plots digit-or-mismatch's test accuracy against m, one line per model type, error bars
// ± one std over seeds, and the majority-class rate as a dashed line.
func dialSVG(rep *tasksReport) (string, error) {
	p := &linePlot{Title: "digit-or-mismatch: test accuracy vs share m of mismatched pairs", XLabel: "m (share of mismatched pairs)",
		YLabel: "test accuracy %", XMin: 0, XMax: 1, XStep: 0.1, YMin: 0, YMax: 100, YStep: 10}
	for _, m := range []string{"image_only", "audio_only", "intra_only", "inter_only", "i2m2"} {
		s := plotSeries{Name: m, Color: seriesColors[m]}
		for _, dp := range rep.Dial {
			s.X, s.Y, s.Err = append(s.X, dp.M), append(s.Y, dp.Acc[m].Mean), append(s.Err, dp.Acc[m].Std)
		}
		p.Series = append(p.Series, s)
	}
	ch := plotSeries{Name: "majority class", Color: seriesColors["chance"], Dashed: true}
	for _, tr := range rep.Tasks {
		if tr.Task.Name == "digit-or-mismatch" {
			ch.X, ch.Y = append(ch.X, tr.Task.Mismatch), append(ch.Y, tr.Results.Chance)
		}
	}
	p.Series = append(p.Series, ch)
	return p.svg()
}

// barGroup is one group of a bar chart: one bar per series name, a dashed reference level.
type barGroup struct {
	Label string
	Y     []float64 // one per barPlot.Names
	Err   []float64
	Ref   float64 // drawn as a dashed line across the group (chance); <= 0: none
}

// barPlot is a grouped bar chart with the same frame as linePlot (y ticks, legend on the right).
type barPlot struct {
	Title, YLabel, RefName string
	Names                  []string // series, in bar order
	YMax, YStep            float64
	Groups                 []barGroup
}

func (p *barPlot) svg() (string, error) {
	if len(p.Groups) == 0 || len(p.Names) == 0 || !(p.YMax > 0 && p.YStep > 0) {
		return "", fmt.Errorf("plot %q: nothing to draw", p.Title)
	}
	frame := &linePlot{Title: p.Title, YLabel: p.YLabel, XMin: 0, XMax: float64(len(p.Groups)), XStep: 1, YMin: 0, YMax: p.YMax, YStep: p.YStep}
	for _, n := range p.Names {
		frame.Series = append(frame.Series, plotSeries{Name: n, Color: seriesColors[n]})
	}
	if p.RefName != "" {
		frame.Series = append(frame.Series, plotSeries{Name: p.RefName, Color: seriesColors["chance"], Dashed: true})
	}
	base, err := frame.svg()
	if err != nil {
		return "", err
	}
	const left, top, pw, ph = 60.0, 40.0, 720.0 - 60 - 190, 420.0 - 40 - 50
	gw := pw / float64(len(p.Groups))
	bw := gw * 0.8 / float64(len(p.Names))
	sy := func(y float64) float64 { return top + (1-y/p.YMax)*ph }
	var b strings.Builder
	for gi, g := range p.Groups {
		if len(g.Y) != len(p.Names) || len(g.Err) != len(p.Names) {
			return "", fmt.Errorf("plot %q: group %q has %d values for %d series", p.Title, g.Label, len(g.Y), len(p.Names))
		}
		x0 := left + float64(gi)*gw + gw*0.1
		for i, y := range g.Y {
			x := x0 + float64(i)*bw
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %.2f ± %.2f</title></rect>`,
				x, sy(y), bw-2, sy(0)-sy(y), seriesColors[p.Names[i]], html.EscapeString(g.Label), html.EscapeString(p.Names[i]), y, g.Err[i])
			if g.Err[i] > 0 {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#000"/>`, x+bw/2-1, sy(y-g.Err[i]), x+bw/2-1, sy(y+g.Err[i]))
			}
		}
		if g.Ref > 0 {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="6 4"/>`,
				x0-2, sy(g.Ref), x0+gw*0.8, sy(g.Ref), seriesColors["chance"])
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", left+(float64(gi)+0.5)*gw, top+ph+18, html.EscapeString(g.Label))
	}
	// the frame's x ticks are group boundaries: drop their numbers, keep the bars before </svg>
	out := base[:strings.LastIndex(base, "</svg>")]
	for x := 0; x <= len(p.Groups); x++ {
		out = strings.Replace(out, fmt.Sprintf(`text-anchor="middle">%d</text>`, x), `text-anchor="middle"></text>`, 1)
	}
	return out + b.String() + "</svg>\n", nil
}

// tasksSVG plots each shipped task's test accuracy per model type (bars, ± one std over seeds)
// with its chance level dashed.
func tasksSVG(rep *tasksReport) (string, error) {
	p := &barPlot{Title: "Test accuracy per task and model type (held-out speakers)", YLabel: "test accuracy %",
		RefName: "chance", Names: []string{"image_only", "audio_only", "intra_only", "inter_only", "i2m2"}, YMax: 100, YStep: 10}
	for _, t := range task.All() {
		tr, ok := rep.Tasks[t.Key()]
		if !ok {
			continue
		}
		g := barGroup{Label: t.Key(), Ref: tr.Results.Chance}
		st := tr.Results.byModel()
		for _, n := range p.Names {
			g.Y, g.Err = append(g.Y, st[n].Mean), append(g.Err, st[n].Std)
		}
		p.Groups = append(p.Groups, g)
	}
	return p.svg()
}

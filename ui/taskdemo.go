package ui

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Clip is a spoken clip to swap in: its digit, voice, spectrogram levels (feature value =
// level/255) and mu-law wave (or nil).
type Clip struct {
	Digit int
	Voice string
	Audio []uint8
	Wave  []uint8
}

// taskDemo is weights/demo/tasks.json (format: weights/demo/README.md, "Task demo pairs"; written by
// the trainer's package task): clean MNIST test images, real-voice clips that index the pairs of the
// demo file, and per task pairs of an image and a clip with the task's answer and, for "same", a clip
// that flips the answer and one that keeps it.
type taskDemo struct {
	Format int `json:"format"`
	Images []struct {
		Digit  int    `json:"digit"`
		Pixels string `json:"pixels"` // base64 of ImageSize levels
	} `json:"images"`
	Clips []struct {
		DemoPair int    `json:"demo_pair"`
		Digit    int    `json:"digit"`
		Voice    string `json:"voice"`
	} `json:"clips"`
	Tasks []struct {
		Task  string `json:"task"`
		Pairs []struct {
			Image int  `json:"image"`
			Clip  int  `json:"clip"`
			Label int  `json:"label"`
			Flip  *int `json:"flip"`
			Keep  *int `json:"keep"`
		} `json:"pairs"`
	} `json:"tasks"`
}

// ParseTaskDemo decodes tasks.json against the demo set base (whose pairs its clips index) into
// one demo set per task: each pair an image and a clip, with the digit each shows.
func ParseTaskDemo(b []byte, base *DemoSet) (map[string]*DemoSet, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: tasks.json: %s", ErrDemo, fmt.Sprintf(format, a...))
	}
	var td taskDemo
	if err := json.Unmarshal(b, &td); err != nil {
		return nil, bad("%v", err)
	}
	if td.Format != 1 {
		return nil, bad("format %d, want 1", td.Format)
	}
	images := make([][]uint8, len(td.Images))
	for i, im := range td.Images {
		px, err := base64.StdEncoding.DecodeString(im.Pixels)
		if err != nil || len(px) != ImageSize || im.Digit < 0 || im.Digit >= demoDigits {
			return nil, bad("image %d: digit %d, %d pixels (%v)", i, im.Digit, len(px), err)
		}
		images[i] = px
	}
	clips := make([]Clip, len(td.Clips))
	for i, c := range td.Clips {
		if c.DemoPair < 0 || c.DemoPair >= len(base.Pairs) || c.Digit != base.Pairs[c.DemoPair].Label {
			return nil, bad("clip %d: demo pair %d, digit %d (the demo file has %d pairs)", i, c.DemoPair, c.Digit, len(base.Pairs))
		}
		p := &base.Pairs[c.DemoPair]
		clips[i] = Clip{Digit: c.Digit, Voice: p.Voice, Audio: p.Mods["audio"], Wave: p.Wave}
	}
	clipAt := func(i *int) (*Clip, error) {
		if i == nil {
			return nil, nil
		}
		if *i < 0 || *i >= len(clips) {
			return nil, bad("clip index %d of %d", *i, len(clips))
		}
		return &clips[*i], nil
	}
	out := map[string]*DemoSet{}
	for _, t := range td.Tasks {
		if t.Task == "" || out[t.Task] != nil || len(t.Pairs) == 0 {
			return nil, bad("task %q: empty, unnamed or twice", t.Task)
		}
		d := &DemoSet{Rate: base.Rate, Modalities: base.Modalities, ByDigit: make([][]int, demoDigits)}
		for k, tp := range t.Pairs {
			if tp.Image < 0 || tp.Image >= len(images) || tp.Clip < 0 || tp.Clip >= len(clips) {
				return nil, bad("task %s, pair %d: image %d of %d, clip %d of %d", t.Task, k, tp.Image, len(images), tp.Clip, len(clips))
			}
			c := &clips[tp.Clip]
			p := Pair{Index: k, Label: td.Images[tp.Image].Digit, Voice: c.Voice, Wave: c.Wave,
				Digits: map[string]int{"image": td.Images[tp.Image].Digit, "audio": c.Digit},
				Mods:   map[string][]uint8{"image": images[tp.Image], "audio": c.Audio}}
			var err error
			if p.Flip, err = clipAt(tp.Flip); err != nil {
				return nil, err
			}
			if p.Keep, err = clipAt(tp.Keep); err != nil {
				return nil, err
			}
			d.ByDigit[p.Label] = append(d.ByDigit[p.Label], k)
			d.Pairs = append(d.Pairs, p)
		}
		out[t.Task] = d
	}
	return out, nil
}

package ui

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// taskDemoJSON is a tasks.json (weights/demo/README.md) over the test demo set: two images, the
// base set's pairs 0..3 as clips, a "same" task with a yes pair (flip, keep) and a no pair.
func taskDemoJSON(t testing.TB, base *DemoSet) []byte {
	t.Helper()
	px := make([]byte, ImageSize)
	px[100] = 255
	img := base64.StdEncoding.EncodeToString(px)
	clip := func(i int) map[string]any {
		return map[string]any{"demo_pair": i, "digit": base.Pairs[i].Label, "voice": base.Pairs[i].Voice}
	}
	one, two := 1, 2
	b, err := json.Marshal(map[string]any{"format": 1, "demo": "avmnist-tts-demo.bin",
		"images": []map[string]any{{"digit": base.Pairs[0].Label, "mnist_t10k": 5, "pixels": img}, {"digit": 7, "mnist_t10k": 6, "pixels": img}},
		"clips":  []map[string]any{clip(0), clip(1), clip(2), clip(3)},
		"tasks": []map[string]any{
			{"task": "digit", "pairs": []map[string]any{{"image": 0, "clip": 0, "label": base.Pairs[0].Label, "answer": "x"}}},
			{"task": "same", "pairs": []map[string]any{{"image": 0, "clip": 0, "label": 1, "answer": "yes", "flip": one, "keep": two},
				{"image": 1, "clip": 3, "label": 0, "answer": "no"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTaskDemo(t *testing.T) {
	base, _ := testDemo(t, 20, 4)
	sets, err := ParseTaskDemo(taskDemoJSON(t, base), base)
	if err != nil {
		t.Fatal(err)
	}
	same := sets["same"]
	if len(sets) != 2 || same == nil || len(same.Pairs) != 2 {
		t.Fatalf("sets %v", sets)
	}
	p := same.Pairs[0]
	if p.DigitOf("image") != base.Pairs[0].Label || p.DigitOf("audio") != base.Pairs[0].Label || p.Flip == nil || p.Flip.Digit != base.Pairs[1].Label || p.Keep == nil ||
		&p.Mods["audio"][0] != &base.Pairs[0].Mods["audio"][0] || p.Mods["image"][100] != 255 {
		t.Fatalf("pair 0: %+v", p)
	}
	if q := same.Pairs[1]; q.DigitOf("image") != 7 || q.DigitOf("audio") != base.Pairs[3].Label || q.Flip != nil {
		t.Fatalf("pair 1: %+v", q)
	}
	if len(same.Showing("audio", base.Pairs[3].Label)) == 0 || len(same.ByDigit[7]) != 1 {
		t.Fatal("pairs by digit")
	}
	// a lab on "same" shows its pairs and answers from them
	l := newTestLab(t, 20)
	l.TaskDemos, l.Task = sets, "same"
	do(l, func() { l.useDemo() })
	if l.Demo != l.BaseDemo {
		t.Fatal("a task the person did not choose (the page's default model) shows the demo file's pairs")
	}
	l.Chosen = true
	do(l, func() { l.useDemo(); l.Select(1) })
	if l.Demo != same || l.Cur != 1 || l.Inputs[l.Mod("image")].Digit != 7 {
		t.Fatalf("the lab shows %d pairs, pair %d", len(l.Demo.Pairs), l.Cur)
	}
	do(l, func() { l.Select(0); l.SwapClip(true) })
	if s := l.Inputs[l.Mod("audio")]; s.Intact || s.Digit != base.Pairs[1].Label || s.Pair != -1 {
		t.Fatalf("flip clip: %+v", s)
	}
	for _, bad := range []string{`{`, `{"format":2}`, `{"format":1,"images":[{"digit":3,"pixels":"AAA="}]}`,
		`{"format":1,"clips":[{"demo_pair":99,"digit":0}]}`, `{"format":1,"tasks":[{"task":"x","pairs":[{"image":0,"clip":0}]}]}`,
		`{"format":1,"tasks":[{"task":"","pairs":[]}]}`} {
		if _, err := ParseTaskDemo([]byte(bad), base); !errors.Is(err, ErrDemo) || !strings.Contains(err.Error(), "tasks.json") {
			t.Errorf("ParseTaskDemo(%s): %v", bad, err)
		}
	}
}

// FuzzParseTaskDemo: any bytes give task demo sets whose pairs the lab can show, or ErrDemo;
// never a panic.
func FuzzParseTaskDemo(f *testing.F) {
	base, _ := testDemo(f, 20, 4)
	f.Add(taskDemoJSON(f, base))
	f.Add([]byte(`{"format":1,"tasks":[{"task":"same","pairs":[{"image":0,"clip":0,"flip":-1}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sets, err := ParseTaskDemo(b, base)
		if err != nil {
			if !errors.Is(err, ErrDemo) {
				t.Fatalf("error %v is not ErrDemo", err)
			}
			return
		}
		for name, d := range sets {
			for i, p := range d.Pairs {
				if len(p.Mods["image"]) != ImageSize || len(p.Mods["audio"]) != AudioSize || p.Label < 0 || p.Label >= len(d.ByDigit) {
					t.Fatalf("%s pair %d: %d/%d levels, digit %d", name, i, len(p.Mods["image"]), len(p.Mods["audio"]), p.Label)
				}
				for _, c := range []*Clip{p.Flip, p.Keep} {
					if c != nil && len(c.Audio) != AudioSize {
						t.Fatalf("%s pair %d: a clip of %d levels", name, i, len(c.Audio))
					}
				}
			}
		}
	})
}

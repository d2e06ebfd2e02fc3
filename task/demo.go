package task

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
)

// DemoFile is the tasks' demo set in weights/demo/ (format: weights/demo/README.md).
const DemoFile = "tasks.json"

// demoSeed fixes the choice of the demo images.
const demoSeed = 1304

// DemoSet is weights/demo/tasks.json: pairs for every task, built from clean MNIST test digits
// (stored here) and the real-voice clips of the lab's demo set (dataset.DemoFile pairs with an FSDD
// lucas or theo recording and its waveform, referenced by index).
type DemoSet struct {
	Format int         `json:"format"` // 1
	Demo   string      `json:"demo"`   // the file the clips index: dataset.DemoFile
	Note   string      `json:"note"`
	Images []DemoImage `json:"images"`
	Clips  []DemoClip  `json:"clips"`
	Tasks  []DemoPairs `json:"tasks"` // in All()'s order
}

// DemoImage is a clean MNIST test digit.
type DemoImage struct {
	Digit     uint8  `json:"digit"`
	MNISTTest int    `json:"mnist_t10k"` // index in MNIST's t10k file
	Pixels    string `json:"pixels"`     // base64 of 784 bytes, 28x28 row-major, value/255 = the image input
}

// DemoClip is a real-voice clip of the demo set.
type DemoClip struct {
	DemoPair int    `json:"demo_pair"` // pair index in the demo file: its spectrogram (and waveform) is the clip
	Digit    uint8  `json:"digit"`
	Voice    string `json:"voice"`
}

// DemoPairs are one task's demo pairs.
type DemoPairs struct {
	Task  string     `json:"task"`
	Pairs []DemoPair `json:"pairs"`
}

// DemoPair is an image (index into Images) with a clip (index into Clips) and the task's answer.
// Flip and Keep (same only) are clips to swap in: Flip changes the answer (yes: another digit by
// the same voice; no: the image's digit by the same voice), Keep does not (the same digit by the
// other voice).
type DemoPair struct {
	Image  int    `json:"image"`
	Clip   int    `json:"clip"`
	Label  uint8  `json:"label"`
	Answer string `json:"answer"`
	Flip   *int   `json:"flip,omitempty"`
	Keep   *int   `json:"keep,omitempty"`
}

// BuildDemo makes the tasks' demo set: two clean test images per digit (seeded choice from
// testImages/testLabels, MNIST t10k), every real-voice clip of demo, and per task one pair of each
// image with a clip of its own digit and - except digit - one with a clip of another digit (dealt
// over the other nine), so every task shows both kinds of pair.
func BuildDemo(demo *dataset.Demo, demoFile string, testImages, testLabels []uint8) (*DemoSet, error) {
	s := &DemoSet{Format: 1, Demo: demoFile,
		Note: "images: clean MNIST test digits; clips: held-out FSDD speakers (lucas, theo) from the demo file, with their waveforms; labels index the task's classes (weights/manifest.json tasks.<name>.classes)"}
	var byDigit [10][]int // clip indices
	for k := 0; k < demo.NWave; k++ {
		v := demo.Voices[demo.Voice[k]]
		if !strings.HasPrefix(v, "fsdd:") {
			continue
		}
		c := DemoClip{DemoPair: k, Digit: demo.Labels[k], Voice: v}
		byDigit[c.Digit] = append(byDigit[c.Digit], len(s.Clips))
		s.Clips = append(s.Clips, c)
	}
	voices := map[string]bool{}
	for d, cs := range byDigit {
		if len(cs) == 0 {
			return nil, fmt.Errorf("task: demo: no real-voice clip of digit %d", d)
		}
		for _, c := range cs {
			voices[s.Clips[c].Voice] = true
		}
	}
	r := dataset.NewRNG(demoSeed)
	var picked [10]int
	for _, i := range r.Perm(len(testLabels)) {
		d := testLabels[i]
		if picked[d] < 2 {
			picked[d]++
			s.Images = append(s.Images, DemoImage{Digit: d, MNISTTest: i,
				Pixels: base64.StdEncoding.EncodeToString(testImages[i*dataset.ImageSize : (i+1)*dataset.ImageSize])})
		}
	}
	if len(s.Images) != 20 {
		return nil, fmt.Errorf("task: demo: %d test images, want 2 per digit", len(s.Images))
	}
	// clipOf finds a clip of digit d, by voice v when want is true (else by another voice).
	clipOf := func(d uint8, v string, want bool) *int {
		for _, c := range byDigit[d] {
			if (s.Clips[c].Voice == v) == want {
				return &c
			}
		}
		return nil
	}
	for _, t := range All() {
		dp := DemoPairs{Task: t.Name}
		others := deck{r: r.Split()}
		for k := 0; k < 10; k++ {
			others.items = append(others.items, int32(k))
		}
		for i, im := range s.Images {
			own := byDigit[im.Digit][i%len(byDigit[im.Digit])]
			clips := []int{own}
			if t.Name != "digit" {
				c := uint8(others.next())
				for c == im.Digit {
					c = uint8(others.next())
				}
				clips = append(clips, byDigit[c][i%len(byDigit[c])])
			}
			for _, c := range clips {
				lab, ok := t.Label(im.Digit, s.Clips[c].Digit)
				if !ok {
					return nil, fmt.Errorf("task: demo: %s has no pair (%d,%d)", t.Name, im.Digit, s.Clips[c].Digit)
				}
				p := DemoPair{Image: i, Clip: c, Label: lab, Answer: t.Classes[lab]}
				if t.Name == "same" {
					cd, v := s.Clips[c].Digit, s.Clips[c].Voice
					p.Keep = clipOf(cd, v, false)
					if cd == im.Digit {
						p.Flip = clipOf((cd+1+uint8(i)%9)%10, v, true)
					} else {
						p.Flip = clipOf(im.Digit, v, true)
					}
				}
				dp.Pairs = append(dp.Pairs, p)
			}
		}
		s.Tasks = append(s.Tasks, dp)
	}
	return s, nil
}

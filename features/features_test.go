package features

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// lcg is a tiny deterministic generator for test signals.
type lcg uint64

func (l *lcg) next() float64 {
	*l = *l*6364136223846793005 + 1442695040888963407
	return float64(uint64(*l)>>11)/(1<<53)*2 - 1
}

// toneBurst: silence, then a tone of f Hz for dur seconds with a little noise, then silence.
func toneBurst(rate int, f, lead, dur, tail float64, seed lcg) []float32 {
	n := int(float64(rate) * (lead + dur + tail))
	x := make([]float32, n)
	a, b := int(float64(rate)*lead), int(float64(rate)*(lead+dur))
	for i := a; i < b; i++ {
		x[i] = float32(0.3*math.Sin(2*math.Pi*f*float64(i)/float64(rate)) + 0.01*seed.next())
	}
	return x
}

func chirp(rate int, f0, f1, dur float64) []float32 {
	n := int(float64(rate) * dur)
	x := make([]float32, n)
	for i := range x {
		t := float64(i) / float64(rate)
		ph := 2 * math.Pi * (f0*t + (f1-f0)*t*t/(2*dur))
		env := math.Sin(math.Pi * t / dur)
		x[i] = float32(0.5 * env * math.Sin(ph))
	}
	return x
}

func TestDetMath(t *testing.T) {
	for _, x := range []float64{-20, -3.3, -1, -0.1, 0, 1e-9, 0.5, 1, 2.302585, 7, 30, 200} {
		if got, want := detExp(x), math.Exp(x); math.Abs(got-want) > 1e-13*want {
			t.Errorf("detExp(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float64{1e-30, 1e-5, 0.3, 1, 1.5, 10, 1234.5, 1e20} {
		if got, want := detLog(x), math.Log(x); math.Abs(got-want) > 1e-13*math.Max(1, math.Abs(want)) {
			t.Errorf("detLog(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float64{-7, -3.14, -1, 0, 0.5, 1.5707963, 3, 6.28, 12.5} {
		if got, want := detCos(x), math.Cos(x); math.Abs(got-want) > 1e-13 {
			t.Errorf("detCos(%v) = %v, want %v", x, got, want)
		}
		if got, want := detSin(x), math.Sin(x); math.Abs(got-want) > 1e-13 {
			t.Errorf("detSin(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestAudioErrors(t *testing.T) {
	nan := []float32{0, float32(math.NaN()), 0}
	inf := []float32{float32(math.Inf(-1))}
	cases := []struct {
		name string
		pcm  []float32
		rate int
		want string
	}{
		{"empty", nil, 16000, "empty"},
		{"nan", nan, 16000, "NaN"},
		{"inf", inf, 16000, "Inf"},
		{"rate low", make([]float32, 10), 3999, "sample rate"},
		{"rate high", make([]float32, 10), 192001, "sample rate"},
		{"rate zero", make([]float32, 10), 0, "sample rate"},
		{"too long", make([]float32, 30*8000+1), 8000, "too long"},
	}
	for _, c := range cases {
		_, err := AudioFromPCM(c.pcm, c.rate)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want containing %q", c.name, err, c.want)
		}
	}
	if _, err := AudioFromPCM(make([]float32, 30*8000), 8000); err != nil {
		t.Errorf("30 s should be accepted: %v", err)
	}
}

// checkFeatures fails t unless a holds n feature values, each a level/255 in [0, 1].
func checkFeatures(t *testing.T, name string, a []float32, n int) {
	t.Helper()
	if len(a) != n {
		t.Fatalf("%s: len %d", name, len(a))
	}
	for i, v := range a {
		q := math.Round(float64(v) * 255)
		if v < 0 || v > 1 || Level(uint8(q)) != v {
			t.Fatalf("%s: value %d = %v is not a level/255 in [0,1]", name, i, v)
		}
	}
}

func TestAudioSilenceDark(t *testing.T) {
	a, err := AudioFromPCM(make([]float32, 12345), 22050)
	if err != nil {
		t.Fatal(err)
	}
	checkFeatures(t, "silence", a, AudioSize)
	for i, v := range a {
		if v != 0 {
			t.Fatalf("silence: value %d = %v, want 0", i, v)
		}
	}
	// faint hiss (-80 dBFS) stays dark: gain is capped
	var l lcg = 3
	x := make([]float32, 16000)
	for i := range x {
		x[i] = float32(1e-4 * l.next())
	}
	a, _ = AudioFromPCM(x, 16000)
	mean := 0.0
	for _, v := range a {
		mean += float64(v) / AudioSize
	}
	if mean > 0.25 {
		t.Errorf("faint hiss: mean level %.3f, want dark (< 0.25)", mean)
	}
}

func TestAudioLevelsMatch(t *testing.T) {
	x := toneBurst(16000, 440, 0.2, 0.4, 0.2, 1)
	a, err := AudioFromPCM(x, 16000)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := AudioLevels(x, 16000)
	for i := range a {
		if a[i] != float32(q[i])/255 {
			t.Fatalf("AudioFromPCM[%d] = %v, AudioLevels = %d", i, a[i], q[i])
		}
	}
	checkFeatures(t, "tone", a, AudioSize)
}

// The speech is centred: moving the burst inside a longer recording (by multiples of the 10 ms
// trimming hop) does not change the features at all.
func TestAudioShiftInvariance(t *testing.T) {
	var ref []float32
	for _, lead := range []float64{0.1, 0.3, 0.73, 1.5} {
		x := toneBurst(16000, 700, lead, 0.5, 2-lead, 9)
		a, err := AudioFromPCM(x, 16000)
		if err != nil {
			t.Fatal(err)
		}
		sameAsFirst(t, &ref, a, fmt.Sprintf("lead %.2f s: feature", lead))
	}
}

// sameAsFirst fails t where got differs from *first, the first case's result (which it keeps
// when *first is nil); what names the case and the element: "what 12 = x, the first case gives y".
func sameAsFirst[T comparable](t *testing.T, first *[]T, got []T, what string) {
	t.Helper()
	if *first == nil {
		*first = got
		return
	}
	for i := range got {
		if got[i] != (*first)[i] {
			t.Fatalf("%s %d = %v, the first case gives %v", what, i, got[i], (*first)[i])
		}
	}
}

// A tone lights up the mel band of its frequency at any input sample rate; level scale does not
// matter (normalisation), except for the cap.
func TestAudioToneBand(t *testing.T) {
	tb := getTables()
	for _, rate := range []int{8000, 11025, 16000, 22050, 44100, 48000} {
		x := toneBurst(rate, 1000, 0.1, 0.6, 0.1, 5)
		a, err := AudioFromPCM(x, rate)
		if err != nil {
			t.Fatal(err)
		}
		best, bestV := 0, float32(-1)
		for m := 0; m < MelBands; m++ {
			if v := a[m*Frames+Frames/2]; v > bestV {
				best, bestV = m, v
			}
		}
		bin := 1000 * NFFT / SampleRate
		if bin < tb.melLo[best] || bin >= tb.melLo[best]+len(tb.melW[best]) {
			t.Errorf("rate %d: loudest band %d (bins %d..%d), want one covering bin %d", rate, best,
				tb.melLo[best], tb.melLo[best]+len(tb.melW[best]), bin)
		}
	}
}

func TestResampleLength(t *testing.T) {
	for _, c := range [][3]int{{22050, 16000, 11025}, {8000, 16000, 1000}, {44100, 16000, 1}, {16000, 16000, 7}} {
		x := make([]float32, c[2])
		y := Resample(x, c[0], c[1])
		want := max(1, c[2]*c[1]/c[0])
		if len(y) != want {
			t.Errorf("Resample %v: len %d, want %d", c, len(y), want)
		}
	}
}

// canvas draws a digit-like shape (a ring and a stroke) with anti-aliased ink on a w x h canvas in
// one of three styles: dark on white, light on black, black on transparent.
func canvas(w, h int, style string) []byte {
	b := make([]byte, 4*w*h)
	cx, cy := 0.55*float64(w), 0.45*float64(h)
	rad := 0.25 * float64(min(w, h))
	th := 0.06 * float64(min(w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			d := math.Abs(math.Hypot(fx-cx, (fy-cy)*0.8)-rad) - th
			// a vertical stroke below the ring
			if fy > cy && fy < cy+0.45*float64(h) {
				d = math.Min(d, math.Abs(fx-(cx+rad))-th)
			}
			ink := math.Max(0, math.Min(1, 0.5-d))
			v := byte(math.Round(255 * ink))
			p := b[4*(y*w+x):]
			switch style {
			case "dark-on-white":
				p[0], p[1], p[2], p[3] = 255-v, 255-v, 255-v, 255
			case "light-on-black":
				p[0], p[1], p[2], p[3] = v, v, v, 255
			case "alpha":
				p[0], p[1], p[2], p[3] = 0, 0, 0, v
			}
		}
	}
	return b
}

func TestImageStylesAgree(t *testing.T) {
	for _, sz := range [][2]int{{280, 280}, {100, 60}, {28, 28}, {13, 40}} {
		var ref []uint8
		for _, st := range []string{"dark-on-white", "light-on-black", "alpha"} {
			q, err := ImageLevels(canvas(sz[0], sz[1], st), sz[0], sz[1])
			if err != nil {
				t.Fatal(err)
			}
			sameAsFirst(t, &ref, q, fmt.Sprintf("%v %s (the first: dark-on-white): pixel", sz, st))
		}
		// the digit fits 20x20 (one side exactly 20) and its centre of mass is near (14, 14)
		var m, mx, my float64
		x0, y0, x1, y1 := 28, 28, -1, -1
		for i, v := range ref {
			if v > 0 {
				x, y := i%28, i/28
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
				m += float64(v)
				mx += float64(v) * float64(x)
				my += float64(v) * float64(y)
			}
		}
		if w, h := x1-x0+1, y1-y0+1; max(w, h) > 20 || max(w, h) < 19 {
			t.Errorf("%v: box %dx%d, want longer side 20", sz, w, h)
		}
		if math.Abs(mx/m-14) > 1 || math.Abs(my/m-14) > 1 {
			t.Errorf("%v: centre of mass (%.2f, %.2f), want (14, 14)", sz, mx/m, my/m)
		}
	}
}

func TestImageErrorsAndBlank(t *testing.T) {
	if _, err := ImageFromRGBA(make([]byte, 10), 2, 2); err == nil {
		t.Error("bad length accepted")
	}
	for _, wh := range [][2]int{{0, 5}, {5, 0}, {-1, 3}, {5000, 1}} {
		if _, err := ImageFromRGBA(nil, wh[0], wh[1]); err == nil {
			t.Errorf("size %v accepted", wh)
		}
	}
	white := make([]byte, 4*50*50)
	for i := range white {
		white[i] = 255
	}
	for _, c := range [][]byte{white, make([]byte, 4*50*50)} {
		a, err := ImageFromRGBA(c, 50, 50)
		if err != nil || len(a) != ImageSize {
			t.Fatalf("blank: %v len %d", err, len(a))
		}
		for _, v := range a {
			if v != 0 {
				t.Fatal("blank canvas gives ink")
			}
		}
	}
}

func FuzzAudioFromPCM(f *testing.F) {
	f.Add([]byte{0, 0, 128, 63, 0, 0, 128, 191}, 16000)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4000)
	f.Add(make([]byte, 4000), 44100)
	f.Fuzz(func(t *testing.T, b []byte, rate int) {
		pcm := make([]float32, len(b)/4)
		for i := range pcm {
			pcm[i] = math.Float32frombits(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
		}
		a, err := AudioFromPCM(pcm, rate)
		if err != nil {
			return
		}
		checkFeatures(t, "fuzz", a, AudioSize)
	})
}

func FuzzImageFromRGBA(f *testing.F) {
	f.Add(canvas(10, 10, "alpha"), 10, 10)
	f.Add(canvas(7, 3, "dark-on-white"), 7, 3)
	f.Add([]byte{1, 2, 3, 4}, 1, 1)
	f.Fuzz(func(t *testing.T, b []byte, w, h int) {
		a, err := ImageFromRGBA(b, w, h)
		if err != nil {
			return
		}
		checkFeatures(t, "fuzz", a, ImageSize)
	})
}

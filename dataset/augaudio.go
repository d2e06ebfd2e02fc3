package dataset

import (
	"math"

	"github.com/i2m2-wasm/i2m2/features"
)

// AudioAug switches the waveform augmentations of the real-input training set (each can be turned
// off for the ablation). Apply draws every random choice from the RNG it is given, so a clip's
// augmented version is a pure function of (clip, augmentation set, seed).
type AudioAug struct {
	Speed  bool // playback-rate factor 0.85-1.15 (pitch and tempo together, as sox's "speed")
	Gain   bool // level -30..+10 dB around -26 dBFS speech: quiet takes and clipped ones
	Noise  bool // SNR 20 dB..-12 dB (1-NoisyShare of the clips stay clean), white/pink/brown/babble
	Reverb bool // half the clips: a sparse exponentially decaying room response, RT60 0.15-0.6 s
	Band   bool // half the clips: a laptop/phone microphone band (high-pass 100-400 Hz, low-pass 3-7 kHz)
	Offset bool // 0-0.6 s of lead-in and tail (silence, or noise when Noise is on)
	// NoisyShare is the share of augmented clips that get noise when Noise is on (0: 0.75).
	NoisyShare float64
}

// AllAudioAug is every augmentation on (the shipped recipe).
var AllAudioAug = AudioAug{Speed: true, Gain: true, Noise: true, Reverb: true, Band: true, Offset: true}

// Apply returns an augmented copy of pcm (at rate Hz) as a 16 kHz recording, ready for
// features.AudioLevels(x, features.SampleRate).
func (a AudioAug) Apply(pcm []float32, rate int, r *RNG) []float32 {
	f := 1.0
	if a.Speed {
		f = 0.85 + 0.3*r.Float64()
	}
	// Declaring the clip at rate*f and resampling to 16 kHz plays it f times faster.
	x := features.Resample(pcm, int(math.Round(float64(rate)*f)), features.SampleRate)
	if a.Reverb && r.Float64() < 0.5 {
		x = reverb(x, r)
	}
	if a.Band && r.Float64() < 0.5 {
		x = biquad(x, highPass(100+300*r.Float64()))
		lp := lowPass(3000 + 4000*r.Float64())
		x = biquad(biquad(x, lp), lp)
	}
	// speech power, measured before the lead-in and the noise
	sa, sb := features.SpeechSpan(x)
	ps := 0.0
	for _, v := range x[sa:sb] {
		ps += v * v
	}
	ps /= float64(max(1, sb-sa))
	pre, post := 0, 0
	if a.Offset {
		pre, post = r.Intn(9600), r.Intn(9600)
	}
	y := make([]float64, pre+len(x)+post)
	copy(y[pre:], x)
	share := a.NoisyShare
	if share == 0 {
		share = 0.75
	}
	if a.Noise && r.Float64() >= 1-share {
		snr := -12 + 32*r.Float64()
		nz := MakeNoise(r, r.Intn(numNoise), len(y))
		g := math.Sqrt(ps / math.Pow(10, snr/10))
		for i := range y {
			y[i] += g * nz[i]
		}
	}
	g := 1.0
	if ps > 0 {
		g = features.TargetRMS / math.Sqrt(ps)
	}
	if a.Gain {
		g *= math.Pow(10, (-30+40*r.Float64())/20)
	}
	out := make([]float32, len(y))
	for i, v := range y {
		out[i] = float32(min(1, max(-1, v*g)))
	}
	return out
}

// reverb convolves x with a sparse room response: the direct sound and 120 reflections at random
// delays up to the RT60 (at most 0.5 s), Gaussian amplitudes decaying by 60 dB over the RT60.
func reverb(x []float64, r *RNG) []float64 {
	rt := 0.15 + 0.45*r.Float64()
	n := int(min(rt, 0.5) * features.SampleRate)
	wet := 0.2 + 0.6*r.Float64() // reverberant energy relative to the direct sound
	type tap struct {
		d int
		a float64
	}
	taps := make([]tap, 120)
	e := 0.0
	for k := range taps {
		d := 16 + r.Intn(n)
		a := gauss(r) * math.Exp(-6.9*float64(d)/(rt*features.SampleRate))
		taps[k] = tap{d, a}
		e += a * a
	}
	s := math.Sqrt(wet / max(e, 1e-12))
	y := make([]float64, len(x)+n+16)
	copy(y, x)
	for _, t := range taps {
		a := t.a * s
		for i, v := range x {
			y[i+t.d] += a * v
		}
	}
	return y
}

// biquadCoef are RBJ cookbook biquad coefficients (a0 normalised to 1).
type biquadCoef struct{ b0, b1, b2, a1, a2 float64 }

func rbj(f0 float64) (cw, alpha float64) {
	w := 2 * math.Pi * f0 / features.SampleRate
	return math.Cos(w), math.Sin(w) / math.Sqrt2 // Q = 1/sqrt(2): Butterworth
}

func highPass(f0 float64) biquadCoef {
	cw, al := rbj(f0)
	a0 := 1 + al
	return biquadCoef{(1 + cw) / 2 / a0, -(1 + cw) / a0, (1 + cw) / 2 / a0, -2 * cw / a0, (1 - al) / a0}
}

func lowPass(f0 float64) biquadCoef {
	cw, al := rbj(f0)
	a0 := 1 + al
	return biquadCoef{(1 - cw) / 2 / a0, (1 - cw) / a0, (1 - cw) / 2 / a0, -2 * cw / a0, (1 - al) / a0}
}

func biquad(x []float64, c biquadCoef) []float64 {
	y := make([]float64, len(x))
	var x1, x2, y1, y2 float64
	for i, v := range x {
		o := c.b0*v + c.b1*x1 + c.b2*x2 - c.a1*y1 - c.a2*y2
		x2, x1, y2, y1 = x1, v, y1, o
		y[i] = o
	}
	return y
}

// NoisyWindow is the evaluation's noisy version of a recording: its clean 1 s window
// (features.AudioWindow) with clip i's seeded noise at snrDB, exactly as the benchmark bank was made
// (AddNoise).
func NoisyWindow(pcm []float32, rate, i int, snrDB float64) ([]float32, error) {
	w, err := features.AudioWindow(pcm, rate)
	if err != nil {
		return nil, err
	}
	out, _ := AddNoise(w, i, snrDB)
	return out, nil
}

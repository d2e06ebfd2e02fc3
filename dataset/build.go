package dataset

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"sync"

	"github.com/i2m2-wasm/i2m2/features"
)

// Noise kinds mixed into the clips (one per clip, chosen by the seeded generator).
const (
	NoiseWhite = iota
	NoisePink
	NoiseBrown
	NoiseBabble
	numNoise
)

var noiseNames = []string{"white", "pink", "brown", "babble"}

// NoiseSeed seeds the per-clip noise (kind and samples): clip i uses NewRNG(NoiseSeed + i).
const NoiseSeed = 90210

// gauss returns an approximately standard normal value (Irwin-Hall sum of 12 uniforms - 6).
func gauss(r *RNG) float64 {
	s := 0.0
	for i := 0; i < 12; i++ {
		s += r.Float64()
	}
	return s - 6
}

// MakeNoise returns n samples (16 kHz) of the given kind with unit RMS.
func MakeNoise(r *RNG, kind, n int) []float64 {
	out := make([]float64, n)
	switch kind {
	case NoiseWhite:
		for i := range out {
			out[i] = gauss(r)
		}
	case NoisePink: // Paul Kellet's economy pink filter
		var b0, b1, b2 float64
		for i := range out {
			w := gauss(r)
			b0 = 0.99765*b0 + w*0.0990460
			b1 = 0.96300*b1 + w*0.2965164
			b2 = 0.57000*b2 + w*1.0526913
			out[i] = b0 + b1 + b2 + w*0.1848
		}
	case NoiseBrown: // leaky integrator
		b := 0.0
		for i := range out {
			b = 0.995*b + gauss(r)
			out[i] = b
		}
	case NoiseBabble: // 6 synthetic "talkers": formant-filtered noise with syllable-rate envelopes
		for t := 0; t < 6; t++ {
			src := MakeNoise(r, NoisePink, n)
			f1 := 300 + 600*r.Float64()
			f2 := 900 + 1600*r.Float64()
			y := resonate(resonate(src, f1, 120), f2, 200)
			env := syllables(r, n)
			g := 0.5 + r.Float64()
			for i := range out {
				out[i] += g * y[i] * env[i]
			}
		}
	}
	s := 0.0
	for _, v := range out {
		s += v * v
	}
	if rms := math.Sqrt(s / float64(n)); rms > 0 {
		for i := range out {
			out[i] /= rms
		}
	}
	return out
}

func resonate(x []float64, f, bw float64) []float64 {
	rr := math.Exp(-math.Pi * bw / features.SampleRate)
	c1 := 2 * rr * math.Cos(2*math.Pi*f/features.SampleRate)
	c2 := -rr * rr
	y := make([]float64, len(x))
	var y1, y2 float64
	for i, v := range x {
		y0 := v + c1*y1 + c2*y2
		y[i], y2, y1 = y0, y1, y0
	}
	return y
}

// syllables returns an envelope of raised-cosine bumps 120-300 ms long with random gaps and levels.
func syllables(r *RNG, n int) []float64 {
	env := make([]float64, n)
	i := -r.Intn(4000)
	for i < n {
		l := 1920 + r.Intn(2880)
		a := 0.3 + 0.7*r.Float64()
		for k := 0; k < l; k++ {
			if j := i + k; j >= 0 && j < n {
				env[j] = a * 0.5 * (1 - math.Cos(2*math.Pi*float64(k)/float64(l)))
			}
		}
		i += l + r.Intn(2400)
	}
	return env
}

// CleanWindow decodes a synthesised WAV file and returns the clean 1 s window (features.AudioWindow:
// resampled to 16 kHz after the playback-rate factor, speech centred, level-normalised).
func CleanWindow(path string, rate float64) ([]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pcm, sr, err := DecodeWAV(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return features.AudioWindow(pcm, int(math.Round(float64(sr)*rate)))
}

// AddNoise mixes clip i's seeded noise into a clean window at snrDB, measured against the speech
// power over the speech span (features.SpeechSpan) of the clean window. It returns the noisy window
// and the noise kind.
func AddNoise(clean []float64, i int, snrDB float64) ([]float32, int) {
	r := NewRNG(NoiseSeed + uint64(i))
	kind := r.Intn(numNoise)
	nz := MakeNoise(r, kind, len(clean))
	a, b := features.SpeechSpan(clean)
	ps := 0.0
	for _, v := range clean[a:b] {
		ps += v * v
	}
	ps /= float64(max(1, b-a))
	g := math.Sqrt(ps / math.Pow(10, snrDB/10))
	out := make([]float32, len(clean))
	for k, v := range clean {
		out[k] = float32(v + g*nz[k])
	}
	return out, kind
}

// Featurise computes the uint8 spectrogram of every clip at snrDB (parallel). cleans[i] is the clean
// window of clip i.
func Featurise(cleans [][]float32, snrDB float64) ([]uint8, error) {
	levels := make([]uint8, len(cleans)*features.AudioSize)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	w := runtime.NumCPU()
	for t := 0; t < w; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			c64 := make([]float64, features.WindowSamples)
			for i := t; i < len(cleans); i += w {
				for k, v := range cleans[i] {
					c64[k] = float64(v)
				}
				noisy, _ := AddNoise(c64, i, snrDB)
				q, err := features.AudioLevels(noisy, features.SampleRate)
				if err != nil {
					mu.Lock()
					firstErr = fmt.Errorf("clip %d: %w", i, err)
					mu.Unlock()
					return
				}
				copy(levels[i*features.AudioSize:], q)
			}
		}(t)
	}
	wg.Wait()
	return levels, firstErr
}

// LinearProbe trains a multinomial logistic regression (softmax, SGD with momentum, L2) on the
// levels of clips with split ClipTrain and reports accuracy on the ClipVal and ClipTest clips: a quick
// measure of how hard the audio modality is alone.
func LinearProbe(levels []uint8, labels, splits []uint8, epochs int, seed uint64) (trainAcc, valAcc, testAcc float64) {
	const d, k = features.AudioSize, 10
	n := len(labels)
	x := make([]float32, n*d)
	mean := make([]float64, d)
	var tr []int
	for i := 0; i < n; i++ {
		if splits[i] == ClipTrain {
			tr = append(tr, i)
			for j := 0; j < d; j++ {
				mean[j] += float64(levels[i*d+j]) / 255
			}
		}
	}
	for j := range mean {
		mean[j] /= float64(len(tr))
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x[i*d+j] = float32(float64(levels[i*d+j])/255 - mean[j])
		}
	}
	W := make([]float64, k*d)
	B := make([]float64, k)
	vW := make([]float64, k*d)
	vB := make([]float64, k)
	r := NewRNG(seed)
	lr, mom, l2 := 0.01, 0.9, 1e-4
	logits := func(i int, out []float64) {
		xi := x[i*d : (i+1)*d]
		for c := 0; c < k; c++ {
			s := B[c]
			w := W[c*d : (c+1)*d]
			for j, v := range xi {
				s += w[j] * float64(v)
			}
			out[c] = s
		}
	}
	p := make([]float64, k)
	gW := make([]float64, k*d)
	gB := make([]float64, k)
	const batch = 32
	for ep := 0; ep < epochs; ep++ {
		perm := r.Perm(len(tr))
		for b0 := 0; b0 < len(perm); b0 += batch {
			for j := range gW {
				gW[j] = 0
			}
			for j := range gB {
				gB[j] = 0
			}
			b1 := min(b0+batch, len(perm))
			for _, pi := range perm[b0:b1] {
				i := tr[pi]
				logits(i, p)
				softmax(p)
				p[labels[i]] -= 1
				xi := x[i*d : (i+1)*d]
				for c := 0; c < k; c++ {
					gB[c] += p[c]
					g := gW[c*d : (c+1)*d]
					for j, v := range xi {
						g[j] += p[c] * float64(v)
					}
				}
			}
			inv := 1 / float64(b1-b0)
			for j := range W {
				vW[j] = mom*vW[j] - lr*(gW[j]*inv+l2*W[j])
				W[j] += vW[j]
			}
			for c := range B {
				vB[c] = mom*vB[c] - lr*gB[c]*inv
				B[c] += vB[c]
			}
		}
	}
	var correct, total [3]float64
	for i := 0; i < n; i++ {
		logits(i, p)
		best := 0
		for c := 1; c < k; c++ {
			if p[c] > p[best] {
				best = c
			}
		}
		total[splits[i]]++
		if best == int(labels[i]) {
			correct[splits[i]]++
		}
	}
	return correct[0] / total[0], correct[1] / total[1], correct[2] / total[2]
}

func softmax(p []float64) {
	m := p[0]
	for _, v := range p {
		m = max(m, v)
	}
	s := 0.0
	for i, v := range p {
		p[i] = math.Exp(v - m)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
}

// VoiceTable returns the bank's voice list (sorted by name) and each spec's voice index.
func VoiceTable(specs []ClipSpec) ([]Voice, []uint16) {
	seen := map[string]bool{}
	var names []string
	for _, s := range specs {
		if !seen[s.Voice] {
			seen[s.Voice] = true
			names = append(names, s.Voice)
		}
	}
	sort.Strings(names)
	idx := map[string]uint16{}
	voices := make([]Voice, len(names))
	for i, nm := range names {
		idx[nm] = uint16(i)
		voices[i] = Voice{Name: nm, Split: ClipTrain}
		if TestVoices[nm] {
			voices[i].Split = ClipTest
		}
	}
	vi := make([]uint16, len(specs))
	for i, s := range specs {
		vi[i] = idx[s.Voice]
	}
	return voices, vi
}

// NoiseName names a noise kind.
func NoiseName(kind int) string { return noiseNames[kind] }

package features

import (
	"errors"
	"math"
	"sync"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/internal/speech"
)

// Audio feature parameters. The audio modality is a [1, MelBands, Frames] log-mel spectrogram:
// row m is mel band m (low frequency first), column t is frame t (time), stored row-major.
const (
	SampleRate      = 16000 // Hz; all audio is resampled to this rate.
	WindowSamples   = 16000 // the fixed 1.0 s analysis window
	NFFT            = 512   // FFT size = Hann window length (32 ms)
	Hop             = 400   // frame hop (25 ms); frame t is centred at sample Hop/2 + t*Hop
	Frames          = 40    // WindowSamples / Hop
	MelBands        = 40    // HTK mel scale, triangular filters with peak 1
	MelFMin         = 20.0  // Hz, lower edge of the first mel filter
	MelFMax         = 8000  // Hz, upper edge of the last mel filter (Nyquist)
	AudioSize       = MelBands * Frames
	MinSampleRate   = 4000
	MaxSampleRate   = 192000
	MaxSeconds      = 30
	DBMin           = -40.0         // dB mapped to 0 (and everything quieter)
	DBMax           = 30.0          // dB mapped to 1 (and everything louder)
	TargetRMS       = 0.05          // level normalisation target over the 1 s window (-26 dBFS)
	MaxGain         = 10.0          // at most +20 dB of gain, so silence and faint hiss stay dark
	TrimRelDB       = speech.RelDB  // frames more than 30 dB below the loudest 20 ms frame are silence
	TrimAbsRMS      = speech.AbsRMS // frames below -70 dBFS RMS are silence whatever the loudest frame
	trimFrame       = 320           // 20 ms trimming frames
	trimHop         = 160           // 10 ms
	resampleZeros   = 10            // windowed-sinc half-width in zero crossings
	resampleTable   = 512           // kernel table entries per zero crossing (linear interpolation)
	resampleRolloff = 0.95          // cut-off as a fraction of the lower Nyquist frequency
)

// AudioFromPCM turns mono PCM samples (nominally in [-1, 1]) at sampleRate Hz into the audio
// modality: AudioSize (= 40*40) float32 values in [0, 1], each a multiple of 1/255, so that a value
// equals float32(q)/255 for the uint8 q the dataset bank stores (bit for bit). The steps:
//
//  1. Resample to 16 kHz with a Hann-windowed sinc (10 zero crossings each side, cut-off 0.95 of the
//     lower Nyquist frequency, kernel from a table with 512 entries per zero crossing, linearly
//     interpolated); 16 kHz input is used unchanged.
//  2. Find the speech: RMS of 20 ms frames (10 ms hop); frames louder than both -30 dB relative to the
//     loudest frame and -70 dBFS are speech; the speech spans the first to the last such frame.
//     If no frame is loud enough, the whole input counts as the "speech".
//  3. Centre a 1.0 s window on the middle of the speech: samples outside the input are zero, speech
//     longer than 1 s is cut at both ends.
//  4. Level: scale the window to RMS 0.05 (-26 dBFS), with at most +20 dB of gain.
//  5. STFT: 40 frames, frame t centred on sample 200+400t, Hann window of 512 (periodic), FFT 512,
//     power |X|^2 (zero outside the window).
//  6. 40 triangular HTK-mel filters from 20 Hz to 8000 Hz (peak 1), summed power P.
//  7. 10*log10(P) mapped linearly from the fixed range [-40 dB, 30 dB] to [0, 1], clamped, rounded to
//     the nearest 1/255 (via exact comparisons with precomputed thresholds, so no log is evaluated).
//
// All arithmetic is IEEE float64 +,-,*,/ without fused multiply-add, so the result is identical on
// every platform, including GOOS=js GOARCH=wasm.
func AudioFromPCM(pcm []float32, sampleRate int) ([]float32, error) {
	return levelsToFeatures(AudioLevels(pcm, sampleRate))
}

// Level converts a stored uint8 level to the float feature value: float32(q)/255.
func Level(q uint8) float32 { return float32(q) / 255 }

// levelsToFeatures converts the levels q (unless err) to feature values with Level.
func levelsToFeatures(q []uint8, err error) ([]float32, error) {
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(q))
	for i, v := range q {
		out[i] = Level(v)
	}
	return out, nil
}

// AudioLevels is AudioFromPCM returning the uint8 levels (what the dataset bank stores).
func AudioLevels(pcm []float32, sampleRate int) ([]uint8, error) {
	win, err := AudioWindow(pcm, sampleRate)
	if err != nil {
		return nil, err
	}
	return spectrogramLevels(win), nil
}

// CheckAudio reports whether n samples at sampleRate Hz are audio AudioFromPCM accepts (it
// checks the samples' values itself): a caller copying the samples from elsewhere (the JS
// bridge) checks first, so an over-long input is never copied.
func CheckAudio(n, sampleRate int) error {
	if n == 0 {
		return errors.New("features: empty audio")
	}
	if sampleRate < MinSampleRate || sampleRate > MaxSampleRate {
		return errfmt.Errorf("features: sample rate %d Hz out of range [%d, %d]", sampleRate, MinSampleRate, MaxSampleRate)
	}
	if n > MaxSeconds*sampleRate {
		return errfmt.Errorf("features: audio too long: %d samples at %d Hz (max %d s)", n, sampleRate, MaxSeconds)
	}
	return nil
}

// AudioWindow performs steps 1-4 of AudioFromPCM: validation, resampling to 16 kHz, silence
// trimming, centring in a 1.0 s window and level normalisation. It returns WindowSamples samples.
func AudioWindow(pcm []float32, sampleRate int) ([]float64, error) {
	if err := CheckAudio(len(pcm), sampleRate); err != nil {
		return nil, err
	}
	for i, v := range pcm {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errfmt.Errorf("features: sample %d is %v", i, v)
		}
	}
	x := Resample(pcm, sampleRate, SampleRate)
	a, b := speechSpan(x)
	win := centreWindow(x, a, b)
	normaliseLevel(win)
	return win, nil
}

// Resample converts pcm from rate `from` to rate `to` (both positive) with the windowed-sinc filter
// described at AudioFromPCM. The output has floor(len*to/from) samples (at least 1 if the input is
// not empty). Equal rates return a float64 copy.
func Resample(pcm []float32, from, to int) []float64 {
	if from == to {
		out := make([]float64, len(pcm))
		for i, v := range pcm {
			out[i] = float64(v)
		}
		return out
	}
	n := int(int64(len(pcm)) * int64(to) / int64(from))
	if n < 1 && len(pcm) > 0 {
		n = 1
	}
	fc := resampleRolloff // cut-off in cycles per input sample * 2 (1 = input Nyquist)
	if to < from {
		fc = resampleRolloff * float64(to) / float64(from)
	}
	hw := float64(resampleZeros) / fc // half-width in input samples
	tab := sincTable()
	out := make([]float64, n)
	scale := fc * resampleTable
	for j := 0; j < n; j++ {
		t := float64(int64(j)*int64(from)) / float64(to)
		lo := int(math.Ceil(t - hw))
		hi := int(math.Floor(t + hw))
		if lo < 0 {
			lo = 0
		}
		if hi > len(pcm)-1 {
			hi = len(pcm) - 1
		}
		s := 0.0
		for i := lo; i <= hi; i++ {
			u := math.Abs(t-float64(i)) * scale // table position
			k := int(u)
			if k >= len(tab)-1 {
				continue
			}
			fr := u - float64(k)
			h := tab[k] + float64(fr*(tab[k+1]-tab[k]))
			s += float64(float64(pcm[i]) * h)
		}
		out[j] = float64(s * fc)
	}
	return out
}

var (
	sincOnce, tablesOnce sync.Once
	sincTab              []float64
	tables               *specTables
)

// sincTable returns h(u) = sinc(u) * hann(u / zeros) for u = k/resampleTable, k = 0..zeros*table.
func sincTable() []float64 {
	sincOnce.Do(buildSincTable)
	return sincTab
}

func buildSincTable() {
	n := resampleZeros*resampleTable + 1
	t := make([]float64, n+1) // one extra zero for interpolation at the edge
	t[0] = 1
	for k := 1; k < n; k++ {
		u := float64(k) / resampleTable
		px := float64(detPi * u)
		w := 0.5 + float64(0.5*detCos(px/resampleZeros))
		t[k] = float64(detSin(px)/px) * w
	}
	sincTab = t
}

// speechSpan returns the sample range [a, b) judged to be speech (see AudioFromPCM step 2).
func speechSpan(x []float64) (int, int) {
	if len(x) <= trimFrame {
		return 0, len(x)
	}
	first, last := speech.Frames(x, trimFrame, trimHop)
	if first < 0 {
		return 0, len(x)
	}
	b := last*trimHop + trimFrame
	if last == (len(x)-trimFrame)/trimHop { // the last frame: the speech runs to the end
		b = len(x)
	}
	return first * trimHop, b
}

// centreWindow returns WindowSamples samples centred on the middle of [a, b), zero outside x.
func centreWindow(x []float64, a, b int) []float64 {
	start := (a+b)/2 - WindowSamples/2
	win := make([]float64, WindowSamples)
	for i := range win {
		if j := start + i; j >= 0 && j < len(x) {
			win[i] = x[j]
		}
	}
	return win
}

func normaliseLevel(win []float64) {
	s := 0.0
	for _, v := range win {
		s += float64(v * v)
	}
	rms := math.Sqrt(s / float64(len(win)))
	if rms == 0 {
		return
	}
	g := TargetRMS / rms
	if g > MaxGain {
		g = MaxGain
	}
	for i := range win {
		win[i] = float64(win[i] * g)
	}
}

type specTables struct {
	hann       [NFFT]float64
	cos, sin   [NFFT / 2]float64 // FFT twiddles
	melLo      [MelBands]int     // first FFT bin of filter m
	melW       [MelBands][]float64
	thresholds [255]float64 // power thresholds: level q = number of thresholds <= P
}

func getTables() *specTables {
	tablesOnce.Do(buildTables)
	return tables
}

func buildTables() {
	t := new(specTables)
	for i := 0; i < NFFT; i++ {
		t.hann[i] = 0.5 - float64(0.5*detCos(float64(2*detPi*float64(i))/NFFT))
	}
	for i := 0; i < NFFT/2; i++ {
		a := float64(-2*detPi*float64(i)) / NFFT
		t.cos[i] = detCos(a)
		t.sin[i] = detSin(a)
	}
	mel := func(f float64) float64 { return float64(2595*detLog(1+f/700)) / detLn10 }
	inv := func(m float64) float64 { return float64(700 * (detExp(float64(m*detLn10)/2595) - 1)) }
	mlo, mhi := mel(MelFMin), mel(MelFMax)
	var edges [MelBands + 2]float64
	for i := range edges {
		edges[i] = inv(mlo + float64((mhi-mlo)*float64(i))/(MelBands+1))
	}
	binHz := float64(SampleRate) / NFFT
	for m := 0; m < MelBands; m++ {
		l, c, r := edges[m], edges[m+1], edges[m+2]
		t.melLo[m] = -1
		for k := 0; k <= NFFT/2; k++ {
			f := float64(float64(k) * binHz)
			w := 0.0
			if f > l && f <= c {
				w = (f - l) / (c - l)
			} else if f > c && f < r {
				w = (r - f) / (r - c)
			}
			if w > 0 {
				if t.melLo[m] < 0 {
					t.melLo[m] = k
				}
				t.melW[m] = append(t.melW[m], w)
			} else if t.melLo[m] >= 0 {
				break
			}
		}
		if t.melLo[m] < 0 { // no bin inside the triangle: use the nearest bin
			t.melLo[m] = int(math.Floor(c/binHz + 0.5))
			t.melW[m] = []float64{1}
		}
	}
	for j := range t.thresholds {
		db := DBMin + float64(float64(j)+0.5)*(DBMax-DBMin)/255
		t.thresholds[j] = detExp(float64(db*detLn10) / 10)
	}
	tables = t
}

// spectrogramLevels performs steps 5-7 on a 1 s window at 16 kHz.
func spectrogramLevels(win []float64) []uint8 {
	t := getTables()
	out := make([]uint8, AudioSize)
	var re, im [NFFT]float64
	var pow [NFFT/2 + 1]float64
	for f := 0; f < Frames; f++ {
		start := Hop/2 + f*Hop - NFFT/2
		for i := 0; i < NFFT; i++ {
			v := 0.0
			if j := start + i; j >= 0 && j < len(win) {
				v = float64(win[j] * t.hann[i])
			}
			re[i], im[i] = v, 0
		}
		fft(&re, &im, t)
		for k := range pow {
			pow[k] = float64(re[k]*re[k]) + float64(im[k]*im[k])
		}
		for m := 0; m < MelBands; m++ {
			p := 0.0
			for i, w := range t.melW[m] {
				p += float64(w * pow[t.melLo[m]+i])
			}
			out[m*Frames+f] = quantise(p, &t.thresholds)
		}
	}
	return out
}

func quantise(p float64, th *[255]float64) uint8 {
	lo, hi := 0, len(th) // count of thresholds <= p, by binary search
	for lo < hi {
		mid := (lo + hi) / 2
		if th[mid] <= p {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return uint8(lo)
}

// fft is an in-place iterative radix-2 complex FFT of size NFFT.
func fft(re, im *[NFFT]float64, t *specTables) {
	for i, j := 1, 0; i < NFFT; i++ {
		bit := NFFT >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			re[i], re[j] = re[j], re[i]
			im[i], im[j] = im[j], im[i]
		}
	}
	for size := 2; size <= NFFT; size <<= 1 {
		half := size / 2
		step := NFFT / size
		for s := 0; s < NFFT; s += size {
			for k := 0; k < half; k++ {
				wr, wi := t.cos[k*step], t.sin[k*step]
				a, b := s+k, s+k+half
				tr := float64(wr*re[b]) - float64(wi*im[b])
				ti := float64(wr*im[b]) + float64(wi*re[b])
				re[b], im[b] = re[a]-tr, im[a]-ti
				re[a], im[a] = re[a]+tr, im[a]+ti
			}
		}
	}
}

// SpeechSpan returns the sample range [a, b) of x (16 kHz) that AudioFromPCM's step 2 judges to be
// speech (the whole of x if nothing is loud enough).
func SpeechSpan(x []float64) (int, int) { return speechSpan(x) }

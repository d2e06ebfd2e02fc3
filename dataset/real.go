package dataset

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/i2m2-wasm/i2m2/features"
)

// The real-input training set ("AV-MNIST-Real"): what the lab's pad and microphone deliver.
// Images are MNIST (55,000 train / 5,000 validation, the benchmark's split) through ImageAug;
// audio are the FSDD recordings of the three training speakers, each clip once as recorded and
// Copies-1 times through AudioAug, plus the benchmark's synthetic training voices (their -12 dB
// spectrograms as stored) for voice diversity. Validation: FSDD recordings 0-4 of the training
// speakers (augmented the same way) and the synthetic validation clips. The test speakers (FSDD
// lucas and theo) and the synthetic test voices are never used (RealTest builds those sets).

// RealOptions configures LoadReal.
type RealOptions struct {
	Root      string
	Limit     int // 0 = all; n > 0 keeps the first n samples of each split (CI)
	Audio     AudioAug
	Image     ImageAug
	Copies    int  // versions of each FSDD clip (the first unaugmented); 0 = RealCopies
	Synthetic bool // add the synthetic voices' clips
	// SyntheticEvery keeps every n-th synthetic clip of a split (0 or 1: all of them): a smaller
	// share of synthetic voices beside the real ones.
	SyntheticEvery int
	// ValSpeaker, when it names a training speaker, is leave-one-speaker-out validation for recipe
	// choices: all of that speaker's recordings, clean and unaugmented, paired with the clean MNIST
	// validation digits, are the validation split, and the other two speakers' recordings (all of
	// them) train. "" keeps the default split (recordings 0-4 of each training speaker validate).
	ValSpeaker string
	MNISTDir   string
}

// RealCopies is the default number of versions per training recording; RealSeed seeds the
// augmentation and the pairing (fixed, so every training seed sees the same data, as the
// benchmark's pairing seed).
const (
	RealCopies = 8
	RealSeed   = 31337
)

// LoadReal builds the real-input train and validation splits (deterministic for given options).
func LoadReal(opt RealOptions) (train, val *Split, err error) {
	if opt.Limit < 0 || opt.SyntheticEvery < 0 {
		return nil, nil, errors.New("dataset: negative Limit or SyntheticEvery")
	}
	valSpk := -1
	if opt.ValSpeaker != "" {
		for k, n := range FSDDSpeakers {
			if n == opt.ValSpeaker && !FSDDTestSpeakers[n] {
				valSpk = k
			}
		}
		if valSpk < 0 {
			return nil, nil, fmt.Errorf("dataset: ValSpeaker %q is not a training speaker", opt.ValSpeaker)
		}
	}
	copies := opt.Copies
	if copies <= 0 {
		copies = RealCopies
	}
	dir, err := DataDir(opt.Root)
	if err != nil {
		return nil, nil, err
	}
	_, bank, pca, err := LoadBank(dir)
	if err != nil {
		return nil, nil, err
	}
	fs, err := LoadFSDD(dir)
	if err != nil {
		return nil, nil, err
	}
	mdir := opt.MNISTDir
	if mdir == "" {
		if mdir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	mtrain, _, err := LoadMNIST(mdir)
	if err != nil {
		return nil, nil, err
	}
	trIdx, vaIdx := TrainValIndices()
	if l := opt.Limit; l > 0 {
		trIdx, vaIdx = trIdx[:min(l, len(trIdx))], vaIdx[:min(l, len(vaIdx))]
	}
	root := NewRNG(RealSeed)
	mk := func(name string, idx []int32, clipSplit uint8, r *RNG) (*Split, error) {
		o := opt
		o.Copies = copies
		heldOut := valSpk >= 0 && clipSplit == ClipVal
		if heldOut { // the held-out speaker as a person gives it: clean, no synthetic voices
			o.Copies, o.Synthetic, o.Image = 1, false, ImageAug{}
		}
		pool, err := realPool(fs, bank, clipSplit, valSpk, o, r.Split())
		if err != nil {
			return nil, err
		}
		s := &Split{Name: name, N: len(idx), MNISTIndex: idx, Labels: make([]uint8, len(idx)),
			Voices: make([]string, len(idx)), Clips: make([]int32, len(idx)), Audio: make([]uint8, len(idx)*AudioSize)}
		raw := make([]uint8, len(idx)*ImageSize)
		for i, j := range idx {
			copy(raw[i*ImageSize:], mtrain.Images[int(j)*ImageSize:(int(j)+1)*ImageSize])
			s.Labels[i] = mtrain.Labels[j]
		}
		s.Images = augmentImages(raw, pca.Reconstruct(raw), o.Image, r.Split())
		if err := pool.pair(s, r.Split()); err != nil {
			return nil, err
		}
		return s, nil
	}
	if train, err = mk("train", trIdx, ClipTrain, root.Split()); err != nil {
		return nil, nil, err
	}
	if val, err = mk("val", vaIdx, ClipVal, root.Split()); err != nil {
		return nil, nil, err
	}
	return train, val, nil
}

// clipPool is a set of spectrograms to pair images with.
type clipPool struct {
	levels []uint8
	labels []uint8
	voices []string
	ids    []int32 // what Split.Clips records for each clip (nil: its index in the pool)
}

// newClipPool is a pool of n clips.
func newClipPool(n int) *clipPool {
	return &clipPool{levels: make([]uint8, n*AudioSize), labels: make([]uint8, n), voices: make([]string, n)}
}

// setFSDD makes clip k of the pool FSDD recording c, given as pcm at rate (the recording itself,
// or an augmented or noisy version of it).
func (p *clipPool) setFSDD(k int, fs *FSDD, c int, pcm []float32, rate int) error {
	q, err := features.AudioLevels(pcm, rate)
	if err != nil {
		return fmt.Errorf("fsdd %s: %w", fs.Name(c), err)
	}
	copy(p.levels[k*AudioSize:], q)
	p.labels[k] = fs.Labels[c]
	p.voices[k] = "fsdd:" + FSDDSpeakers[fs.Speaker[c]]
	return nil
}

// pair gives each sample of s a clip of its digit, dealt in seeded shuffled rounds (as buildSplit).
func (p *clipPool) pair(s *Split, r *RNG) error {
	var by [10][]int32
	for c, l := range p.labels {
		by[l] = append(by[l], int32(c))
	}
	var next [10]int
	for d := range by {
		if len(by[d]) == 0 {
			return fmt.Errorf("dataset: no %s clips of digit %d", s.Name, d)
		}
		r.Shuffle(by[d])
	}
	for i := 0; i < s.N; i++ {
		d := s.Labels[i]
		if next[d] == len(by[d]) {
			r.Shuffle(by[d])
			next[d] = 0
		}
		c := by[d][next[d]]
		next[d]++
		s.Clips[i] = c
		if p.ids != nil {
			s.Clips[i] = p.ids[c]
		}
		s.Voices[i] = p.voices[c]
		copy(s.Audio[i*AudioSize:], p.levels[int(c)*AudioSize:(int(c)+1)*AudioSize])
	}
	return nil
}

// realPool featurises the FSDD clips of the given split (opt.Copies versions each) and adds the
// synthetic bank's clips of that split. valSpk >= 0 makes that speaker the whole ClipVal split and
// the other training speakers' recordings ClipTrain.
func realPool(fs *FSDD, bank *Bank, split uint8, valSpk int, opt RealOptions, r *RNG) (*clipPool, error) {
	var clips []int
	for i := 0; i < fs.N; i++ {
		sp := fs.Split(i)
		if valSpk >= 0 && sp != ClipTest {
			sp = ClipTrain
			if int(fs.Speaker[i]) == valSpk {
				sp = ClipVal
			}
		}
		if sp == split {
			clips = append(clips, i)
		}
	}
	copies := opt.Copies
	n := len(clips) * copies
	p := newClipPool(n)
	seeds := make([]uint64, n)
	for k := range seeds {
		seeds[k] = r.Uint64()
	}
	err := Parallel(n, func(k int) error {
		c := clips[k/copies]
		pcm, rate := fs.PCM(c), FSDDRate
		if k%copies != 0 {
			pcm, rate = opt.Audio.Apply(pcm, FSDDRate, NewRNG(seeds[k])), features.SampleRate
		}
		return p.setFSDD(k, fs, c, pcm, rate)
	})
	if err != nil {
		return nil, err
	}
	if opt.Synthetic {
		every, k := max(1, opt.SyntheticEvery), 0
		for c := 0; c < bank.N; c++ {
			if bank.Splits[c] == split {
				if k++; (k-1)%every != 0 {
					continue
				}
				p.levels = append(p.levels, bank.Levels[c*AudioSize:(c+1)*AudioSize]...)
				p.labels = append(p.labels, bank.Labels[c])
				p.voices = append(p.voices, bank.Voices[bank.Voice[c]].Name)
			}
		}
	}
	return p, nil
}

// augmentImages applies aug to every image (raw and degraded are N*784), one seeded RNG per image.
func augmentImages(raw, degraded []uint8, aug ImageAug, r *RNG) []uint8 {
	n := len(raw) / ImageSize
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = r.Uint64()
	}
	out := make([]uint8, len(raw))
	Parallel(n, func(i int) error {
		a, b := i*ImageSize, (i+1)*ImageSize
		copy(out[a:b], aug.Apply(raw[a:b], degraded[a:b], NewRNG(seeds[i])))
		return nil
	})
	return out
}

// Parallel runs f(0..n-1) on GOMAXPROCS goroutines, goroutine t taking t, t+GOMAXPROCS, ...;
// each stops at its first error, and those errors are returned joined (nil when none).
func Parallel(n int, f func(i int) error) error {
	w := runtime.GOMAXPROCS(0)
	return Workers(w, func(t int) error {
		for i := t; i < n; i += w {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	})
}

// Workers runs f(0..w-1) on w goroutines and returns their errors joined (nil when none).
func Workers(w int, f func(t int) error) error {
	errs := make([]error, w)
	var wg sync.WaitGroup
	for t := 0; t < w; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			errs[t] = f(t)
		}(t)
	}
	wg.Wait()
	return errors.Join(errs...)
}

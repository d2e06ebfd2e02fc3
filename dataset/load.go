// Package dataset builds and loads AV-MNIST-TTS: MNIST digits degraded by PCA (as in the paper's
// AV-MNIST) paired with noisy synthesised spoken digits (log-mel spectrograms from features).
//
// Splits: 55,000 train and 5,000 validation images from MNIST train (a fixed seeded split), 10,000 test
// images from MNIST test. Each image of digit d is paired with a clip of digit d from its split's clips:
// train and validation clips come from the train voices (disjoint clip sets), test clips only from the
// held-out test voices. Everything is read from weights/data (verified by sha256) and the GoMNIST module;
// the synthesisers are needed only to regenerate the bank (scripts/dataset/synth.sh).
package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/i2m2-wasm/i2m2/features"
)

// Shapes and classes of the two modalities.
const (
	ImageSize = features.ImageSize // [1, 28, 28]
	AudioSize = features.AudioSize // [1, 40, 40]: 40 mel bands (rows, low first) x 40 frames
	NumTrain  = 55000
	NumVal    = 5000
	NumTest   = 10000
	// SplitSeed fixes which 5,000 MNIST training images form the validation split (independent of
	// Options.Seed, so validation numbers stay comparable).
	SplitSeed = 20240603
)

// Classes are the class labels, index = digit.
var Classes = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// Options for Load.
type Options struct {
	Root        string // repo root or the weights/data directory; "" searches upwards from the working directory
	Seed        int64  // seed of the image<->clip pairing
	Limit       int    // 0 = all samples; n > 0 keeps the first n samples of each split (for CI)
	CleanImages bool   // original MNIST instead of the PCA-degraded images (ablations only)
	MNISTDir    string // GoMNIST data/ directory; "" finds it (see MNISTDir)
}

// Split is one split of paired samples. Images are PCA-degraded MNIST (uint8, /255 gives [0, 1]);
// Audio are log-mel spectrogram levels (uint8, /255 gives features.AudioFromPCM's values exactly).
type Split struct {
	Name       string   // "train", "val" or "test"
	N          int      // number of samples
	Images     []uint8  // N*784, sample i at [i*784, (i+1)*784), row-major 28x28
	Audio      []uint8  // N*1600, sample i at [i*1600, (i+1)*1600), [40 bands][40 frames]
	Labels     []uint8  // N, 0..9 (image label == clip label)
	Voices     []string // N, voice name of the paired clip (e.g. "flite:slt")
	Clips      []int32  // N, index of the paired clip in the bank
	MNISTIndex []int32  // N, index of the image in its MNIST file (train or t10k)
}

// Sample fills img (len >= 784) and aud (len >= 1600) with sample i as float32 = uint8/255.
// Either may be nil to skip it.
func (s *Split) Sample(i int, img, aud []float32) {
	if img != nil {
		for j, v := range s.Images[i*ImageSize : (i+1)*ImageSize] {
			img[j] = features.Level(v)
		}
	}
	if aud != nil {
		for j, v := range s.Audio[i*AudioSize : (i+1)*AudioSize] {
			aud[j] = features.Level(v)
		}
	}
}

// DataDir resolves the weights/data directory from a root ("" = search upwards from the working
// directory for weights/data/index.json).
func DataDir(root string) (string, error) {
	if root != "" {
		for _, d := range []string{root, filepath.Join(root, "weights", "data")} {
			if _, err := os.Stat(filepath.Join(d, IndexFile)); err == nil {
				return d, nil
			}
		}
		return "", fmt.Errorf("dataset: no %s in %s or %s", IndexFile, root, filepath.Join(root, "weights", "data"))
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "weights", "data")
		if _, err := os.Stat(filepath.Join(p, IndexFile)); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("dataset: weights/data/%s not found above %s (set Options.Root)", IndexFile, wd)
		}
	}
}

// LoadBank reads and verifies the clip bank and the PCA basis from a weights/data directory.
func LoadBank(dir string) (*Index, *Bank, *PCA, error) {
	ix, err := ReadIndex(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	bank, err := decodeVerified(ix, dir, BankFile, UnmarshalBank)
	if err != nil {
		return nil, nil, nil, err
	}
	pca, err := decodeVerified(ix, dir, PCAFile, UnmarshalPCA)
	if err != nil {
		return nil, nil, nil, err
	}
	return ix, bank, pca, nil
}

// loadVerified reads file of the weights/data directory dir, verified against its index, and
// decodes it.
func loadVerified[T any](dir, file string, decode func([]byte) (T, error)) (T, error) {
	ix, err := ReadIndex(dir)
	if err != nil {
		var zero T
		return zero, err
	}
	return decodeVerified(ix, dir, file, decode)
}

// decodeVerified is loadVerified with the index ix of dir already read.
func decodeVerified[T any](ix *Index, dir, file string, decode func([]byte) (T, error)) (T, error) {
	b, err := ix.ReadVerified(dir, file)
	if err != nil {
		var zero T
		return zero, err
	}
	return decode(b)
}

// TrainValIndices returns the fixed split of the 60,000 MNIST training images into 55,000 train and
// 5,000 validation indices (each ascending).
func TrainValIndices() (train, val []int32) {
	perm := NewRNG(SplitSeed).Perm(60000)
	val = make([]int32, NumVal)
	train = make([]int32, NumTrain)
	for i, p := range perm[:NumVal] {
		val[i] = int32(p)
	}
	for i, p := range perm[NumVal:] {
		train[i] = int32(p)
	}
	sort.Slice(val, func(a, b int) bool { return val[a] < val[b] })
	sort.Slice(train, func(a, b int) bool { return train[a] < train[b] })
	return train, val
}

// Load returns the three splits. It verifies every file's sha256, reconstructs the PCA-degraded
// images from the GoMNIST module and the committed basis, and pairs images with clips.
func Load(opt Options) (train, val, test *Split, err error) {
	if opt.Limit < 0 {
		return nil, nil, nil, errors.New("dataset: negative Limit")
	}
	dir, err := DataDir(opt.Root)
	if err != nil {
		return nil, nil, nil, err
	}
	_, bank, pca, err := LoadBank(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	mdir := opt.MNISTDir
	if mdir == "" {
		if mdir, err = MNISTDir(); err != nil {
			return nil, nil, nil, err
		}
	}
	trIdx, vaIdx := TrainValIndices()
	teIdx := make([]int32, NumTest)
	for i := range teIdx {
		teIdx[i] = int32(i)
	}
	nTrain, nTest := 60000, 10000
	if l := opt.Limit; l > 0 && l < NumVal {
		// decode only the MNIST images the first l samples of each split need
		nTrain = int(max(trIdx[l-1], vaIdx[l-1])) + 1
		nTest = l
	}
	mtrain, mtest, err := loadMNISTPrefix(mdir, nTrain, nTest)
	if err != nil {
		return nil, nil, nil, err
	}
	pr := NewRNG(uint64(opt.Seed))
	mk := func(name string, m *MNIST, idx []int32, clipSplit uint8) (*Split, error) {
		if opt.Limit > 0 && opt.Limit < len(idx) {
			idx = idx[:opt.Limit]
		}
		return buildSplit(name, m, idx, bank, clipSplit, pca, opt.CleanImages, pr.Split())
	}
	if train, err = mk("train", mtrain, trIdx, ClipTrain); err != nil {
		return nil, nil, nil, err
	}
	if val, err = mk("val", mtrain, vaIdx, ClipVal); err != nil {
		return nil, nil, nil, err
	}
	if test, err = mk("test", mtest, teIdx, ClipTest); err != nil {
		return nil, nil, nil, err
	}
	return train, val, test, nil
}

func buildSplit(name string, m *MNIST, idx []int32, bank *Bank, clipSplit uint8, pca *PCA, clean bool, r *RNG) (*Split, error) {
	n := len(idx)
	s := &Split{Name: name, N: n, Labels: make([]uint8, n), Voices: make([]string, n),
		Clips: make([]int32, n), MNISTIndex: idx, Audio: make([]uint8, n*AudioSize)}
	raw := make([]uint8, n*ImageSize)
	for i, j := range idx {
		copy(raw[i*ImageSize:], m.Images[int(j)*ImageSize:(int(j)+1)*ImageSize])
		s.Labels[i] = m.Labels[j]
	}
	if clean {
		s.Images = raw
	} else {
		s.Images = pca.Reconstruct(raw)
	}
	// Clips of this split, dealt out by digit in seeded shuffled rounds (clipPool.pair), so every
	// clip is used about equally often.
	p := &clipPool{}
	for c := 0; c < bank.N; c++ {
		if bank.Splits[c] == clipSplit {
			p.ids = append(p.ids, int32(c))
			p.labels = append(p.labels, bank.Labels[c])
			p.voices = append(p.voices, bank.Voices[bank.Voice[c]].Name)
			p.levels = append(p.levels, bank.Levels[c*AudioSize:(c+1)*AudioSize]...)
		}
	}
	if err := p.pair(s, r); err != nil {
		return nil, err
	}
	return s, nil
}

// RNG is a small deterministic generator (SplitMix64), used for every seeded choice in this package
// so that results never depend on the Go version's math/rand algorithms.
type RNG struct{ s uint64 }

// NewRNG returns a generator with the given seed.
func NewRNG(seed uint64) *RNG { return &RNG{s: seed} }

// Uint64 returns the next value.
func (r *RNG) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Intn returns a value in [0, n) (n > 0).
func (r *RNG) Intn(n int) int { return int(r.Uint64() % uint64(n)) }

// Float64 returns a value in [0, 1).
func (r *RNG) Float64() float64 { return float64(r.Uint64()>>11) / (1 << 53) }

// Split returns a new generator seeded from this one.
func (r *RNG) Split() *RNG { return NewRNG(r.Uint64()) }

// Perm returns a permutation of [0, n).
func (r *RNG) Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Shuffle shuffles s in place.
func (r *RNG) Shuffle(s []int32) {
	for i := len(s) - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}

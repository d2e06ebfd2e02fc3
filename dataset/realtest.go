package dataset

import (
	"fmt"

	"github.com/i2m2-wasm/i2m2/features"
)

// EvalSet is one column of the evaluation matrix: paired test samples under one condition.
type EvalSet struct {
	Name  string // e.g. "real_clean"
	Desc  string // what the images and the audio are
	Split *Split
}

// RealTestSNRs are the noise levels of the held-out real speakers' columns (the benchmark's -12 dB
// among them), mixed by AddNoise exactly as the synthetic bank was.
var RealTestSNRs = []float64{0, -6, -12}

// RealTestSeed fixes the pairing of MNIST test digits with held-out recordings.
const RealTestSeed = 2718

// RealTest builds the test columns that need neither the synthesisers nor the training data: the
// first n MNIST test digits (n <= 0: all 10,000), clean or drawn on the pad, each paired with a
// recording of its digit by a held-out FSDD speaker (lucas, theo), clean or with noise. Every
// column uses the same pairing, so columns differ only in their condition. Synthetic clean test
// voices are added when weights/data holds them (SynthCleanFile).
func RealTest(root string, n int) ([]EvalSet, error) {
	dir, err := DataDir(root)
	if err != nil {
		return nil, err
	}
	fs, err := LoadFSDD(dir)
	if err != nil {
		return nil, err
	}
	mdir, err := MNISTDir()
	if err != nil {
		return nil, err
	}
	if n <= 0 || n > NumTest {
		n = NumTest
	}
	_, mtest, err := loadMNISTPrefix(mdir, 0, n)
	if err != nil {
		return nil, err
	}
	var clips []int
	for i := 0; i < fs.N; i++ {
		if fs.Split(i) == ClipTest {
			clips = append(clips, i)
		}
	}
	conds := append([]float64{0}, RealTestSNRs...) // 0 first = clean (index 0)
	pools := make([]*clipPool, len(conds))
	for k := range pools {
		pools[k] = newClipPool(len(clips))
	}
	err = Parallel(len(clips)*len(conds), func(j int) error {
		k, ci := j/len(clips), j%len(clips)
		c := clips[ci]
		pcm, rate := fs.PCM(c), FSDDRate
		if k > 0 {
			w, err := NoisyWindow(pcm, rate, c, conds[k])
			if err != nil {
				return err
			}
			pcm, rate = w, features.SampleRate
		}
		return pools[k].setFSDD(ci, fs, c, pcm, rate)
	})
	if err != nil {
		return nil, err
	}
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	clean := mtest.Images[:n*ImageSize]
	drawn := make([]uint8, n*ImageSize)
	Parallel(n, func(i int) error {
		copy(drawn[i*ImageSize:], Drawn(clean[i*ImageSize:(i+1)*ImageSize]))
		return nil
	})
	mk := func(name, desc string, images []uint8, pool *clipPool) (EvalSet, error) {
		s := &Split{Name: name, N: n, Images: images, Labels: mtest.Labels[:n], MNISTIndex: idx,
			Voices: make([]string, n), Clips: make([]int32, n), Audio: make([]uint8, n*AudioSize)}
		if err := pool.pair(s, NewRNG(RealTestSeed)); err != nil {
			return EvalSet{}, err
		}
		return EvalSet{Name: name, Desc: desc, Split: s}, nil
	}
	var sets []EvalSet
	add := func(name, desc string, images []uint8, pool *clipPool) error {
		s, err := mk(name, desc, images, pool)
		if err == nil {
			sets = append(sets, s)
		}
		return err
	}
	if err := add("real_clean", "clean MNIST test digits + held-out real speakers (FSDD lucas, theo), clean", clean, pools[0]); err != nil {
		return nil, err
	}
	for k, snr := range RealTestSNRs {
		if err := add(fmt.Sprintf("real_%gdb", snr), fmt.Sprintf("clean MNIST test digits + held-out real speakers at %g dB SNR", snr), clean, pools[k+1]); err != nil {
			return nil, err
		}
	}
	if sc, err := LoadSynthClean(dir); err == nil {
		if err := add("synth_clean", "clean MNIST test digits + held-out synthetic test voices, clean", clean, sc); err != nil {
			return nil, err
		}
	}
	if err := add("drawn", "MNIST test digits traced with the pad's pen (dataset.Drawn) + held-out real speakers, clean", drawn, pools[0]); err != nil {
		return nil, err
	}
	return sets, nil
}

// SynthCleanFile holds the synthetic test voices' clips without noise (Bank format, every clip
// ClipTest), for the matrix's "held-out synthetic voices, clean" column. Made by
// scripts/dataset/synth.sh (dataset/cmd/avmnist-data -synth-clean).
const SynthCleanFile = "synth_clean_test.bin.gz"

// LoadSynthClean reads and verifies SynthCleanFile.
func LoadSynthClean(dir string) (*clipPool, error) {
	bank, err := loadVerified(dir, SynthCleanFile, UnmarshalBank)
	if err != nil {
		return nil, err
	}
	p := &clipPool{levels: bank.Levels, labels: bank.Labels, voices: make([]string, bank.N)}
	for i := range p.voices {
		p.voices[i] = bank.Voices[bank.Voice[i]].Name
	}
	return p, nil
}

package main

import (
	"encoding"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/features"
)

// importFSDD writes weights/data/fsdd.bin.gz from an FSDD checkout (recordings/ and SHA256SUMS)
// and records it in index.json.
func importFSDD(root, src string) error {
	f, err := dataset.ImportFSDD(src)
	if err != nil {
		return err
	}
	ix, dir, b, err := writeIndexed(root, dataset.FSDDFile, f)
	if err != nil {
		return err
	}
	by := map[string]int{}
	for i := 0; i < f.N; i++ {
		by[[]string{"train", "val", "test"}[f.Split(i)]]++
	}
	ix.FSDD = &dataset.FSDDInfo{
		Source:   "Free Spoken Digit Dataset (Jakobovski et al.), github.com/Jakobovski/free-spoken-digit-dataset commit 26eb9aaf76e81b692f806f9140c2d2777410d7a1, CC BY-SA 4.0",
		Encoding: fmt.Sprintf("G.711 mu-law, %d Hz mono, gzip; the decoded samples are the clips", dataset.FSDDRate),
		Speakers: dataset.FSDDSpeakers, TestSpeakers: []string{"lucas", "theo"}, Clips: by,
	}
	if err := ix.Save(dir); err != nil {
		return err
	}
	log.Printf("wrote %s: %d clips, %d bytes %v", filepath.Join(dir, dataset.FSDDFile), f.N, len(b), by)
	return addRealVoices(root)
}

// addRealVoices turns demo pairs into real-voice pairs (dataset.Demo.AddRealVoices) unless the
// demo set has them already; the synthetic pairs' spectrograms are recomputed from their stored
// waveforms either way.
func addRealVoices(root string) error {
	ddir := filepath.Join(root, "weights", "demo")
	b, err := os.ReadFile(filepath.Join(ddir, dataset.DemoFile))
	if err != nil {
		return err
	}
	d, err := dataset.ParseDemo(b)
	if err != nil {
		return err
	}
	if err := d.Refeaturise(); err != nil {
		return err
	}
	if d.NWave < dataset.DemoWaves {
		fs, err := dataset.LoadFSDD(filepath.Join(root, "weights", "data"))
		if err != nil {
			return err
		}
		if err := d.AddRealVoices(fs, dataset.DemoWaves-d.NWave); err != nil {
			return err
		}
	}
	log.Printf("wrote %s: %d pairs, %d with waveforms", ddir, d.N, d.NWave)
	return d.Write(ddir)
}

// synthClean writes weights/data/synth_clean_test.bin.gz: the synthetic test voices' clips without
// noise (features.AudioLevels of the clean window), for the evaluation matrix.
func synthClean(root, cache string) error {
	var specs []dataset.ClipSpec
	for _, s := range dataset.Plan() {
		if s.Split == dataset.ClipTest {
			specs = append(specs, s)
		}
	}
	paths, err := dataset.Synthesize(specs, cache, log.Printf)
	if err != nil {
		return err
	}
	cleans, err := cleanWindows(specs, paths)
	if err != nil {
		return err
	}
	voices, vi := dataset.VoiceTable(specs)
	b := &dataset.Bank{Voices: voices, N: len(specs), Voice: vi, Labels: make([]uint8, len(specs)),
		Splits: make([]uint8, len(specs)), Desc: make([]string, len(specs))}
	for i, s := range specs {
		b.Labels[i], b.Splits[i], b.Desc[i] = uint8(s.Digit), s.Split, s.Desc
		q, err := features.AudioLevels(cleans[i], features.SampleRate)
		if err != nil {
			return fmt.Errorf("clip %d: %w", i, err)
		}
		b.Levels = append(b.Levels, q...)
	}
	ix, dir, data, err := writeIndexed(root, dataset.SynthCleanFile, b)
	if err != nil {
		return err
	}
	log.Printf("wrote %s: %d clean test-voice clips, %d bytes", dataset.SynthCleanFile, b.N, len(data))
	return ix.Save(dir)
}

// writeIndexed writes v's encoding as weights/data/name, recorded (size, sha256) in the index
// it returns with its folder and the bytes; the caller adds what it knows and saves the index.
func writeIndexed(root, name string, v encoding.BinaryMarshaler) (*dataset.Index, string, []byte, error) {
	b, err := v.MarshalBinary()
	if err != nil {
		return nil, "", nil, err
	}
	dir := filepath.Join(root, "weights", "data")
	ix, err := dataset.ReadIndex(dir)
	if err != nil {
		return nil, "", nil, err
	}
	return ix, dir, b, ix.WriteFile(dir, name, b)
}

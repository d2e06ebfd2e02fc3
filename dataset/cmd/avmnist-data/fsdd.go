package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/dataset"
)

// importFSDD writes weights/data/fsdd.bin.gz from an FSDD checkout (recordings/ and SHA256SUMS)
// and records it in index.json.
func importFSDD(root, src string) error {
	f, err := dataset.ImportFSDD(src)
	if err != nil {
		return err
	}
	b, err := f.MarshalBinary()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "weights", "data")
	ix, err := dataset.ReadIndex(dir)
	if err != nil {
		return err
	}
	if err := ix.WriteFile(dir, dataset.FSDDFile, b); err != nil {
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

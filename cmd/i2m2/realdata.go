package main

import (
	"fmt"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/train"
)

// augNames are the switchable parts of the real-input recipe (--no-aug), in ablation order.
var augNames = []string{"speed", "gain", "noise", "reverb", "band", "offset", "synthetic",
	"degraded", "thickness", "affine", "blur", "drawn"}

// realOptions is the shipped real-input recipe with the named parts switched off.
func realOptions(root string, limit, copies int, noAug string) (dataset.RealOptions, error) {
	opt := dataset.RealOptions{Root: root, Limit: limit, Copies: copies, Audio: dataset.AllAudioAug,
		Image: dataset.AllImageAug, Synthetic: true}
	off := map[string]*bool{"speed": &opt.Audio.Speed, "gain": &opt.Audio.Gain, "noise": &opt.Audio.Noise,
		"reverb": &opt.Audio.Reverb, "band": &opt.Audio.Band, "offset": &opt.Audio.Offset, "synthetic": &opt.Synthetic,
		"degraded": &opt.Image.Degraded, "thickness": &opt.Image.Thickness, "affine": &opt.Image.Affine,
		"blur": &opt.Image.Blur, "drawn": &opt.Image.Drawn}
	for _, n := range strings.Split(noAug, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if n == "all" {
			for _, p := range off {
				*p = false
			}
			opt.Copies = 1
			continue
		}
		p, ok := off[n]
		if !ok {
			return opt, fmt.Errorf("--no-aug %q: want some of %s, or all", n, strings.Join(augNames, ","))
		}
		*p = false
	}
	return opt, nil
}

func loadReal(opt dataset.RealOptions) (tr, va *train.Data, err error) {
	a, b, err := dataset.LoadReal(opt)
	if err != nil {
		return nil, nil, err
	}
	return toData(a), toData(b), nil
}

// fsdd loads the FSDD recordings from the data directory under root ("" = search upwards).
func fsdd(root string) (*dataset.FSDD, error) {
	dir, err := dataset.DataDir(root)
	if err != nil {
		return nil, err
	}
	return dataset.LoadFSDD(dir)
}

// mnistTest loads the MNIST test digits.
func mnistTest() (*dataset.MNIST, error) {
	dir, err := dataset.MNISTDir()
	if err != nil {
		return nil, err
	}
	_, test, err := dataset.LoadMNIST(dir)
	return test, err
}

func toData(s *dataset.Split) *train.Data {
	return &train.Data{N: s.N, Images: s.Images, Audio: s.Audio, Labels: s.Labels}
}

// realDescription is the provenance text of models trained on the real-input set.
func realDescription(opt dataset.RealOptions) string {
	return fmt.Sprintf("AV-MNIST-Real: MNIST (55k/5k, augmented %+v) paired with FSDD recordings of george, jackson, yweweler "+
		"(x%d versions, augmented %+v; lucas and theo held out) and synthetic voices=%v; %s",
		opt.Image, opt.Copies, opt.Audio, opt.Synthetic, "FSDD CC BY-SA 4.0 (Jakobovski et al.), MNIST CC BY-SA 3.0")
}

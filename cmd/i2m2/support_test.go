package main

import (
	"os"
	"testing"

	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/train"
)

// realData is the real-input training and validation data as `i2m2 train --data real` loads it:
// the first limit samples, copies versions of each recording, the parts named in noAug (--no-aug)
// switched off. Under -short it skips t: every test that needs the data trains on it.
func realData(t *testing.T, limit, copies int, noAug string) (tr, va *train.Data) {
	t.Helper()
	if testing.Short() {
		t.Skip("loads the real-input data and trains on it")
	}
	opt, err := realOptions("", limit, copies, noAug)
	if err != nil {
		t.Fatal(err)
	}
	tr, va, err = loadReal(opt)
	if err != nil {
		t.Fatal(err)
	}
	return tr, va
}

// writeRandomModel writes the AV-MNIST architecture with random weights (seed) to the file path
// and returns the file's bytes.
func writeRandomModel(t *testing.T, path string, seed uint64) []byte {
	t.Helper()
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := arch.InitRandom(m, seed); err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

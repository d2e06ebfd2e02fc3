package model_test

import (
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// The test binary runs this package's init before any test, so the internal tests can build
// and quantise models with the exported builders (export_test.go).
func init() {
	model.BuildAVMNIST = func(h, w, k int) (*model.Model, error) { return arch.AVMNIST(h, w, k).Build() }
	model.InitRandom = arch.InitRandom
	model.Quantize = func(m *model.Model) error { _, err := quant.Quantize(m); return err }
}

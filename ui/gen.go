// Package ui is the modality-swap lab: a Vugu app in which a person picks a test pair of the
// AV-MNIST-TTS demo set (a handwritten digit and a spoken digit), swaps one modality for another
// sample, a blank, noise, a drawing or their own voice, and watches how each I2M2 expert and the
// product of experts respond (Madaan et al., NeurIPS 2024, section 3).
//
// The package never links the inference engine: it talks to the JS module (wasm/i2m2.mjs) through
// the Engine interface, whose browser implementation (JSEngine) calls the module via syscall/js.
// Components are *.vugu files; 0_components_gen.go is generated from them by `go generate ./ui`.
package ui

//go:generate go tool vugugen -s
//go:generate go run ./internal/compactgen 0_components_gen.go

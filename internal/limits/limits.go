// Package limits holds the bounds of the .i2m2 format (model/FORMAT.md, "Limits" and "Work
// budget"): what a model may ask for, so a hostile header cannot make the reader or a
// Predictor allocate gigabytes or spin for minutes. The engine (model/) enforces them; the
// ONNX importer and the hostile-file corpus read them from here, so there is one definition.
package limits

const (
	Modalities   = 16
	Classes      = 1024
	Experts      = 32
	Layers       = 64       // per branch or head
	Dim          = 4096     // any single dimension
	Activation   = 1 << 22  // elements of one activation tensor (16 MiB of float32)
	Params       = 64 << 20 // weights in the whole model
	NameLen      = 64
	HeaderBytes  = 1 << 20
	KernelExtent = 64

	// The default work budget of model.Read: operations and bytes of one prediction. The
	// largest model this project is for, the paper's AV-MNIST with a 112x112 spectrogram,
	// costs 17.5 M operations and 6.5 MiB as int8 (FORMAT.md, "Work budget"): these leave
	// it 7.6x and 19x of room.
	BudgetOps   = 1 << 27
	BudgetBytes = 128 << 20
)

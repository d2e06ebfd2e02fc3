// Package manifest is weights/manifest.json: the shipped model files (name, quantisation,
// size, sha256, shape) and what was measured about them. The trainer writes it (i2m2 eval
// --runs = i2m2 release, i2m2 ship), and the CLI, the worker, the lab and the module tests read
// it through these types. Standard library only, so browser builds can link it.
//
// Encoding is stable: Marshal writes the members of every object in one fixed order (a model
// entry in the order of Entry's fields, every other object sorted by key), so re-writing an
// unchanged manifest gives the same bytes. Members this package does not know are kept, at the
// top level and in a task, so an older writer does not drop a newer writer's sections.
package manifest

import (
	"encoding/json"
	"math"
)

// Manifest is the whole file.
type Manifest struct {
	// Models are the files pages and servers load; exactly one is the default (Default).
	Models []Entry `json:"models"`
	// Baselines are the single-modality and single-kind models of the benchmark recipe, for
	// comparison (image-only, audio-only, intra-only, inter-only).
	Baselines []Entry `json:"baselines,omitempty"`
	// Tasks are the task family keyed by task name ("digit", "same", ...), each with its own
	// labels, models and results.
	Tasks map[string]*Task `json:"tasks,omitempty"`
	// Results are the benchmark recipe's test accuracies over seeds.
	Results *Results `json:"results,omitempty"`
	// Real is the evaluation of the real-input model on every test column.
	Real *Real `json:"real,omitempty"`
	// Shuffle is the modality-shuffle run on the test split of the shipped benchmark models.
	Shuffle *Shuffle `json:"shuffle,omitempty"`
	// Dataset describes the benchmark data the results were measured on.
	Dataset *Dataset `json:"dataset,omitempty"`
	// Training is the benchmark recipe and each seed's training history.
	Training    *Training `json:"training,omitempty"`
	ShippedSeed uint64    `json:"shipped_seed,omitempty"`
	// StandIn marks random-weight stand-ins written by the build when no trained model is
	// shipped (wasm/internal/standin).
	StandIn bool   `json:"standIn,omitempty"`
	Note    string `json:"note,omitempty"`

	extra map[string]json.RawMessage // members this package does not know, kept as read
}

// Entry is one shipped model file.
type Entry struct {
	File         string     `json:"file"` // relative to the manifest's folder
	Bytes        int64      `json:"bytes"`
	SHA256       string     `json:"sha256"` // lower-case hex of the whole file
	Quantization string     `json:"quantization,omitempty"`
	Default      bool       `json:"default"`
	Name         string     `json:"name,omitempty"` // the model's name (several files may share it)
	Modalities   []Modality `json:"modalities,omitempty"`
	Classes      []string   `json:"classes,omitempty"`
	Experts      []string   `json:"experts,omitempty"`
	MACs         int64      `json:"macs,omitempty"`
	Seed         uint64     `json:"seed,omitempty"`     // training seed; 0 = not recorded
	TestAcc      float64    `json:"test_acc,omitempty"` // percent on its test split (int8 files: on the int8 kernels); 0 = not measured
	// Embedded marks an entry written at build time for a file embedded by whoever built the
	// worker (scripts/build-30-worker.sh).
	Embedded bool `json:"embedded,omitempty"`
	// Kind is, in a task, the model type of the file: "i2m2", "intra_only", "inter_only".
	Kind string `json:"kind,omitempty"`
}

// Modality is one input of a model: its name and tensor shape (channels, height, width).
type Modality struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// Task is one task of the family: what the label means, its shipped models and their results.
type Task struct {
	Title    string   `json:"title"`              // the question the task answers, for display
	Question string   `json:"question,omitempty"` // the task in a sentence
	Classes  []string `json:"classes,omitempty"`  // class names in label order
	Models   []Entry  `json:"models,omitempty"`
	// Default is the file of Models a page or server runs for the task (Task.Model's rule).
	Default string `json:"default,omitempty"`
	Plot    string `json:"plot,omitempty"` // an SVG of the tasks' results, relative to the manifest's folder
	Demo    string `json:"demo,omitempty"` // the tasks' demo pairs, relative to the manifest's folder (weights/demo/README.md)
	// StandIn marks random-weight stand-in task models (a test fixture: wasm/internal/standin).
	StandIn bool     `json:"standIn,omitempty"`
	Results *Results `json:"results,omitempty"`
	Shuffle *Shuffle `json:"shuffle,omitempty"`
	// Dial holds results at several settings of the task's dial (the share m of mismatched
	// pairs in digit-or-mismatch), in increasing m.
	Dial []DialPoint `json:"dial,omitempty"`

	extra map[string]json.RawMessage
}

// DialPoint is the results at one setting of a task's dial.
type DialPoint struct {
	M       float64  `json:"m"`
	Results *Results `json:"results"`
}

// Stat is a measurement over seeds: mean, sample standard deviation and each seed's value in
// seed order.
type Stat struct {
	Mean float64   `json:"mean"`
	Runs []float64 `json:"runs"`
	Std  float64   `json:"std"`
}

// Results are test accuracies over seeds. In JSON every Stats key and "experts", "seeds",
// "units" are members of one object ({"i2m2": {...}, "image_only": {...}, "seeds": [...]}).
type Results struct {
	// Stats are keyed by model kind (StatImageOnly, ... StatI2M2Int8) and by the derived
	// measurements StatIntraPart and StatInt8Agreement.
	Stats map[string]Stat
	// Experts are the shipped I2M2's experts alone, keyed by expert name.
	Experts map[string]Stat
	Seeds   []uint64
	Units   string
}

// Keys of Results.Stats.
const (
	StatImageOnly     = "image_only"
	StatAudioOnly     = "audio_only"
	StatIntraOnly     = "intra_only"
	StatInterOnly     = "inter_only"
	StatI2M2          = "i2m2"
	StatI2M2Int8      = "i2m2_int8"
	StatIntraPart     = "i2m2_intra_part" // the I2M2's intra experts' product alone
	StatInt8Agreement = "int8_agreement"  // percent of samples with the same top-1 as float32
)

// Real is the evaluation of the real-input model (Model, the models[].name it belongs to).
type Real struct {
	Matrix      string                `json:"matrix"` // the full table, relative to the repo
	Model       string                `json:"model"`
	Note        string                `json:"note"`
	Seeds       []uint64              `json:"seeds"`
	ShippedSeed uint64                `json:"shipped_seed"`
	Test        map[string]RealColumn `json:"test"` // keyed by test column ("real_clean", ...)
	Units       string                `json:"units"`
	ValAcc      float64               `json:"val_acc"`
}

// RealColumn is one test column of Real: accuracy (percent) of the product, float32 and int8,
// and of each expert alone, on N samples.
type RealColumn struct {
	Experts  map[string]float64 `json:"experts"`
	I2M2     float64            `json:"i2m2"`
	I2M2Int8 float64            `json:"i2m2_int8"`
	N        int                `json:"n"`
}

// Shuffle is a modality-shuffle run: each sample's input of one modality replaced by sample
// perm[i]'s (a seeded permutation), the label kept.
type Shuffle struct {
	N         int          `json:"n"`
	PermSeed  int64        `json:"perm_seed"`
	Rows      []ShuffleRow `json:"rows"`
	SameLabel float64      `json:"same_label_after_permutation"` // percent of partners with the same label
	SeedModel uint64       `json:"seed_model"`
	Units     string       `json:"units"`
}

// ShuffleRow is one model under one shuffle ("none" or the modality replaced).
type ShuffleRow struct {
	Acc     float64 `json:"acc"`
	Conf    float64 `json:"conf"` // mean probability of the predicted class, percent
	Model   string  `json:"model"`
	Shuffle string  `json:"shuffle"`
}

// Dataset describes the benchmark data.
type Dataset struct {
	AudioFeatures string         `json:"audio_features,omitempty"`
	BankSHA256    string         `json:"bank_sha256,omitempty"`
	Description   string         `json:"description"`
	Name          string         `json:"name"`
	PairingSeed   uint64         `json:"pairing_seed"`
	PCA           *PCA           `json:"pca,omitempty"`
	SNRdB         float64        `json:"snr_db,omitempty"`
	Test          int            `json:"test"`
	TestEvaluated int            `json:"test_evaluated,omitempty"` // when fewer than Test were evaluated
	TestVoices    map[string]int `json:"test_voices"`
	Train         int            `json:"train"`
	Val           int            `json:"val"`
}

// PCA describes the basis the benchmark's images were degraded with.
type PCA struct {
	Components int     `json:"components"`
	Explained  float64 `json:"explained_variance"`
	FitOn      string  `json:"fit_on"`
	Threshold  float64 `json:"threshold"`
}

// Training is the recipe (the trainer's own struct, kept as written) and each seed's run.
type Training struct {
	Limit  int             `json:"limit"`
	Recipe json.RawMessage `json:"recipe"`
	Runs   []TrainingRun   `json:"runs"`
}

// TrainingRun is one seed's training. In JSON the stages are members of the same object as
// "seed" and "minutes" ({"seed": 1, "minutes": 8.4, "i2m2": {...}, ...}).
type TrainingRun struct {
	Seed    uint64
	Minutes float64
	Stages  map[string]Stage // keyed by stage name ("image", "audio", "inter", "intra", "i2m2")
}

// Stage is one training stage.
type Stage struct {
	BestEpoch  int     `json:"best_epoch"`
	BestValAcc float64 `json:"best_val_acc"`
	Epochs     int     `json:"epochs"`
	Seconds    float64 `json:"seconds"`
}

// NewStat summarises one measurement per seed (in seed order): the mean and the sample
// standard deviation (0 for one run).
func NewStat(runs []float64) Stat {
	s := Stat{Runs: runs}
	if len(runs) == 0 {
		return s
	}
	for _, x := range runs {
		s.Mean += x
	}
	s.Mean /= float64(len(runs))
	if len(runs) > 1 {
		for _, x := range runs {
			s.Std += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(s.Std / float64(len(runs)-1))
	}
	return s
}

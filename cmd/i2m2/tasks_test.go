package main

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/task"
	"github.com/i2m2-wasm/i2m2/train"
)

// TestTasksTrainingSmall is CI's small training per task on real data: heads on the shipped digit
// model's frozen encoders (as scripts/train-tasks.sh), 2,000 training digits, tested on the
// held-out speakers (FSDD lucas, theo; 2,000 MNIST test digits re-paired per task). What holds by
// construction is checked against a binomial bound: a model whose answers carry no information
// about the label scores the best constant rate c (chance) with standard error
// se = 100*sqrt(c(1-c)/n); "at chance" is |acc - c| <= 4 se and "above chance" is acc > c + 4 se
// (two-sided tail 6e-5).
//
//   - same: each modality alone says nothing, so image-only, audio-only and intra-only (a product
//     of one-modality experts) are at chance 50%; inter-only and I2M2 are above it.
//   - digit-or-mismatch (m = 0.5): one modality can tell the digit but not whether the other
//     agrees, so image-only and audio-only are at most max(m, 1-m) (+ 4 se); inter-only and I2M2
//     are above it.
//   - digit: every model type is above the majority digit's rate.
func TestTasksTrainingSmall(t *testing.T) {
	tr, va := realData(t, 2000, 1, "all")
	trunk, err := readModel(filepath.Join("..", "..", "weights", trunkFile))
	if err != nil {
		t.Fatal(err)
	}
	w := runtime.GOMAXPROCS(0)
	etr, err := train.Encode(trunk, tr, w)
	if err != nil {
		t.Fatal(err)
	}
	eva, err := train.Encode(trunk, va, w)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := realClean("", 2000)
	if err != nil {
		t.Fatal(err)
	}
	// the models are scored from the encoded test set (train.EvalHeads: the engine's result, see
	// TestHeadsExportMatchesTrainer), so the encoders run once
	ete, err := train.Encode(trunk, toData(clean), w)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range task.All() {
		t.Run(tk.Key(), func(t *testing.T) {
			pte, err := tk.Pair(clean.Labels, task.TestSeed)
			if err != nil {
				t.Fatal(err)
			}
			te := &train.Paired{Enc: ete, Image: pte.Image, Audio: pte.Audio, Labels: pte.Labels}
			ptr, err := tk.Pair(tr.Labels, task.TrainSeed)
			if err != nil {
				t.Fatal(err)
			}
			pva, err := tk.Pair(va.Labels, task.ValSeed)
			if err != nil {
				t.Fatal(err)
			}
			rc := train.PaperRecipe(1, 5, 10, 3)
			run, err := train.HeadPipeline(&train.Paired{Enc: etr, Image: ptr.Image, Audio: ptr.Audio, Labels: ptr.Labels},
				&train.Paired{Enc: eva, Image: pva.Image, Audio: pva.Audio, Labels: pva.Labels}, rc, tk.Classes, "ci")
			if err != nil {
				t.Fatal(err)
			}
			acc := map[string]float64{}
			for _, n := range train.ModelNames {
				if acc[n], err = train.EvalHeads(run.Models[n], te); err != nil {
					t.Fatal(err)
				}
			}
			c := chanceOf(&train.Data{N: te.N(), Labels: te.Labels}) / 100
			if tk.Name == "digit-or-mismatch" {
				c = math.Max(tk.Mismatch, 1-tk.Mismatch)
			}
			se := 100 * math.Sqrt(c*(1-c)/float64(te.N()))
			t.Logf("%d test pairs, chance %.1f%% (4 se = %.1f points): %v", te.N(), 100*c, 4*se, acc)
			at := func(n string) {
				if math.Abs(acc[n]-100*c) > 4*se {
					t.Errorf("%s: %.2f%%, want within %.2f of %.2f%%", n, acc[n], 4*se, 100*c)
				}
			}
			atMost := func(n string) {
				if acc[n] > 100*c+4*se {
					t.Errorf("%s: %.2f%%, want at most %.2f%% + %.2f", n, acc[n], 100*c, 4*se)
				}
			}
			above := func(n string) {
				if acc[n] <= 100*c+4*se {
					t.Errorf("%s: %.2f%%, want above %.2f%% + %.2f", n, acc[n], 100*c, 4*se)
				}
			}
			switch tk.Name {
			case "same":
				at("image_only")
				at("audio_only")
				at("intra_only")
				above("inter_only")
				above("i2m2")
			case "digit-or-mismatch":
				atMost("image_only")
				atMost("audio_only")
				above("inter_only")
				above("i2m2")
			default:
				for _, n := range train.ModelNames {
					above(n)
				}
			}
		})
	}
}

// TestShippedTasks checks weights/manifest.json's tasks against package task and the files: every
// shipped task is listed with its title and classes, its files match their size and sha256 and
// carry the task's classes, its results cover three seeds, and on same intra-only is within 2
// points of chance (the bar) while the shipped I2M2 file, run on 500 held-out test digits
// re-paired as same, is above chance by 4 standard errors.
func TestShippedTasks(t *testing.T) {
	dir := filepath.Join("..", "..", "weights")
	mf, err := manifest.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range task.All() {
		mt := mf.Tasks[tk.Name]
		if mt == nil {
			t.Fatalf("manifest: no task %s", tk.Name)
		}
		if mt.Title != tk.Title || !slices.Equal(mt.Classes, tk.Classes) {
			t.Errorf("%s: title %q classes %v, package task says %q %v", tk.Name, mt.Title, mt.Classes, tk.Title, tk.Classes)
		}
		defaults := 0
		for _, e := range mt.Models {
			b, err := os.ReadFile(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if int64(len(b)) != e.Bytes || hex.EncodeToString(sum[:]) != e.SHA256 {
				t.Errorf("%s: size or sha256 differs from the manifest", e.File)
			}
			m, err := model.Read(b)
			if err != nil {
				t.Fatalf("%s: %v", e.File, err)
			}
			if !slices.Equal(m.Classes, tk.Classes) || m.Quantization != "int8" {
				t.Errorf("%s: classes %v, %s", e.File, m.Classes, m.Quantization)
			}
			if e.Default {
				defaults++
			}
		}
		if defaults != 1 || mt.Results == nil || len(mt.Results.Seeds) != 3 {
			t.Fatalf("%s: %d default files, results %+v", tk.Name, defaults, mt.Results)
		}
		for _, k := range []string{"image_only", "audio_only", "intra_only", "inter_only", "i2m2", "i2m2_int8"} {
			if s, ok := mt.Results.Stats[k]; !ok || len(s.Runs) != 3 {
				t.Errorf("%s: results.%s over %d seeds", tk.Name, k, len(s.Runs))
			}
		}
	}
	same := mf.Tasks["same"]
	if in := same.Results.Stats["intra_only"].Mean; math.Abs(in-50) > 2 {
		t.Errorf("same: intra-only %.2f%%, want within 2 points of 50%%", in)
	}
	if len(mf.Tasks["digit-or-mismatch"].Dial) < 3 {
		t.Errorf("digit-or-mismatch: %d dial points", len(mf.Tasks["digit-or-mismatch"].Dial))
	}
	clean, err := realClean("", 500)
	if err != nil {
		t.Fatal(err)
	}
	te, err := taskTest(clean, task.Same)
	if err != nil {
		t.Fatal(err)
	}
	m, err := readModel(filepath.Join(dir, taskFile(task.Same, "i2m2")))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := evalModel(m, model.DefaultPath, te)
	if err != nil {
		t.Fatal(err)
	}
	if se := 100 * math.Sqrt(0.25/float64(te.N)); ev.Product.Acc <= 50+4*se {
		t.Errorf("shipped same I2M2 on %d held-out pairs: %.2f%%, want above 50%% + %.2f", te.N, ev.Product.Acc, 4*se)
	}
}

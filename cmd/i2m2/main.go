// Command i2m2 is the project's command line: data, train, eval, quantize,
// export-onnx, predict, serve and the release steps. commands below lists them;
// each one's run function lives in its own file.
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

type command struct {
	summary string
	run     func(args []string) error
}

// commands are the subcommands by name, with the summary the usage lists.
var commands = map[string]command{
	"data":         {"summarise the AV-MNIST-TTS splits (sizes, labels, voices) from the committed bank", runData},
	"eval":         {"test accuracy and confidence of models, optionally with one modality shuffled; --runs is `i2m2 release`", runEval},
	"export-onnx":  {"write a model as ONNX (float32; every expert's logits, the I2M2 and intra-only log-probs)", runExportONNX},
	"import-onnx":  {"convert experts exported to ONNX (e.g. from PyTorch) into an .i2m2 model", runImportONNX},
	"matrix":       {"evaluation matrix: every model type of each recipe x benchmark test, held-out real speakers (clean, 0/-6/-12 dB), synthetic voices clean, drawn digits", runMatrix},
	"predict":      {"run a model on WAV, PNG or JPEG files or folders (as the browser would), or on a JSON file {\"image\": [...], \"audio\": [...]}", runPredict},
	"quantize":     {"convert a float32 .i2m2 model to int8 and print the max quantisation error per tensor", runQuantize},
	"release":      {"evaluate the runs of `i2m2 train` (one per seed) on the test split and write the shipped weights, weights/manifest.json and the results tables", runRelease},
	"serve":        {"serve the worker's HTTP API (POST /predict, GET /model, GET /healthz) natively", runServe},
	"ship":         {"ship the real-input I2M2 (seed with the best validation accuracy) as weights/avmnist-real-{int8,f32}.i2m2, the manifest's default model", runShip},
	"tasks":        {"dependency regimes (package task): train the five model types per task and seed on the real-input model's frozen encoders, evaluate on the held-out speakers", runTasks},
	"tasks-demo":   {"write weights/demo/tasks.json: demo pairs of every task (clean MNIST test digits, the demo set's real voices)", runTasksDemo},
	"tasks-report": {"dependency regimes: tables, accuracy-vs-m plot, shuffle tests, shipped int8 models and manifest.json's tasks from `i2m2 tasks` runs", runTasksReport},
	"train":        {"train I2M2 and its baselines for one seed (paper recipe) into a run directory", runTrain},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: i2m2 <command> [flags]\n\ncommands:")
	for _, n := range slices.Sorted(maps.Keys(commands)) {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", n, commands[n].summary)
	}
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(2)
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "i2m2: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := c.run(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "i2m2 "+os.Args[1]+":", err)
		os.Exit(1)
	}
}

// newFlags is the flag set of the subcommand name. A parse error comes back from parseFlags
// (the flag package has printed the usage), and main prints it once, after the command's name.
func newFlags(name string) *flag.FlagSet {
	return flag.NewFlagSet(name, flag.ContinueOnError)
}

// parseFlags parses args into fs, then checks that every flag named in required was given a
// value: "--runs is required" otherwise.
func parseFlags(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, name := range required {
		if fs.Lookup(name).Value.String() == "" {
			return fmt.Errorf("--%s is required", name)
		}
	}
	return nil
}

// rootFlag is --root, which every command that loads the datasets takes.
func rootFlag(fs *flag.FlagSet) *string {
	return fs.String("root", "", "repo root or weights/data directory (default: search upwards)")
}

// weightsFlag is --weights, the folder of the shipped models and manifest.json.
func weightsFlag(fs *flag.FlagSet) *string {
	return fs.String("weights", "weights", "weights directory")
}

// evalModel evaluates m on d with the kernels of path, nothing shuffled, on every CPU.
func evalModel(m *model.Model, path model.Path, d *train.Data) (*train.ModelEval, error) {
	return train.EvalModel(m, path, d, "", nil, runtime.GOMAXPROCS(0))
}

package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/task"
)

func init() {
	register("tasks-demo", "write weights/demo/tasks.json: demo pairs of every task (clean MNIST test digits, the demo set's real voices)", runTasksDemo)
}

func runTasksDemo(args []string) error {
	fs := flag.NewFlagSet("tasks-demo", flag.ContinueOnError)
	weights := fs.String("weights", "weights", "weights directory (reads demo/"+dataset.DemoFile+", writes demo/"+task.DemoFile+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(*weights, "demo", dataset.DemoFile))
	if err != nil {
		return err
	}
	demo, err := dataset.ParseDemo(b)
	if err != nil {
		return err
	}
	mdir, err := dataset.MNISTDir()
	if err != nil {
		return err
	}
	_, test, err := dataset.LoadMNIST(mdir)
	if err != nil {
		return err
	}
	s, err := task.BuildDemo(demo, dataset.DemoFile, test.Images, test.Labels)
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*weights, "demo", task.DemoFile), append(out, '\n'), 0o644)
}

package main

import (
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/task"
)

func runTasksDemo(args []string) error {
	fs := newFlags("tasks-demo")
	weights := fs.String("weights", "weights", "weights directory (reads demo/"+dataset.DemoFile+", writes demo/"+task.DemoFile+")")
	if err := parseFlags(fs, args); err != nil {
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
	test, err := mnistTest()
	if err != nil {
		return err
	}
	s, err := task.BuildDemo(demo, dataset.DemoFile, test.Images, test.Labels)
	if err != nil {
		return err
	}
	return writeJSON(filepath.Join(*weights, "demo", task.DemoFile), s)
}

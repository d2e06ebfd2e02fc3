package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/i2m2-wasm/i2m2/worker/api"
)

// runServe runs worker/api, the handler the Cloudflare Worker runs, as a
// plain net/http server (on loopback unless told otherwise).
func runServe(args []string) error {
	fs := newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8090", "listen address (port 0: any free port)")
	modelPath := fs.String("model", "weights/avmnist-real-int8.i2m2", "model file (default: the lab's real-input model)")
	manifest := fs.String("manifest", "weights/manifest.json", "manifest whose entry (by sha256) vouches for the model, shown by GET /model")
	sum := fs.String("sha256", "", "expected sha256 (hex) of the model file, instead of a manifest entry")
	integrity := fs.Bool("integrity", true, "refuse a model that neither -sha256 nor the manifest vouches for (false: serve it unverified)")
	bodyTimeout := fs.Duration("body-timeout", api.DefaultBodyTimeout, "time to receive a request body (408 beyond it)")
	maxBody := fs.Int64("max-body", api.DefaultMaxBodyBytes, "request body limit in bytes")
	maxBatch := fs.Int("max-batch", api.DefaultMaxBatch, "samples per batch request")
	var more []string
	fs.Func("task", "name=file: also serve file as model name (POST /predict?model=name; repeatable), vouched for by the manifest like -model", func(v string) error {
		if !strings.Contains(v, "=") {
			return fmt.Errorf("want name=file, got %q", v)
		}
		more = append(more, v)
		return nil
	})
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	b, err := os.ReadFile(*modelPath)
	if err != nil {
		return err
	}
	mf, err := os.ReadFile(*manifest)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	srv := api.New(b, api.Options{Manifest: mf, MaxBodyBytes: *maxBody, MaxBatch: *maxBatch, SHA256: *sum, Unverified: !*integrity, BodyTimeout: *bodyTimeout,
		Name: api.EntryName(mf, b)})
	if _, _, err := srv.Model(); err != nil { // natively, fail at start rather than per request
		return fmt.Errorf("%s: %w", *modelPath, err)
	}
	for _, v := range more {
		name, file, _ := strings.Cut(v, "=")
		tb, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if err := srv.AddModel(name, tb); err != nil {
			return err
		}
	}
	if err := srv.CheckAll(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, DisableGeneralOptionsHandler: true, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
	fmt.Printf("i2m2 serve: %s on http://%s/ (POST /predict, GET /model, GET /healthz)\n", *modelPath, ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(sctx)
	}
}

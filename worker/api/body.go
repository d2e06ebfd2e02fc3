package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/i2m2-wasm/i2m2/model"
)

// readRequest decodes the body of a POST /predict within Options.BodyTimeout:
// a client trickling its body (one byte a second) gets a 408 instead of
// holding the instance. The decoder runs in its own goroutine; on time-out
// the body is closed, which ends its pending read (net/http, and the
// ReadableStream reader under syumai/workers).
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request, m *model.Model) (*request, error) {
	type result struct {
		req *request
		err error
	}
	done := make(chan result, 1)                                 // buffered: the goroutine never blocks after a time-out
	body := http.MaxBytesReader(nil, r.Body, s.opt.MaxBodyBytes) // nil: the goroutine must not touch w
	go func() {
		req, err := decodeRequest(m, body, s.opt.MaxBatch)
		done <- result{req, err}
	}()
	t := time.NewTimer(s.opt.BodyTimeout)
	defer t.Stop()
	select {
	case res := <-done:
		return res.req, res.err
	case <-t.C:
		go r.Body.Close() // may wait for the pending read (net/http holds a lock while reading)
		return nil, &httpError{http.StatusRequestTimeout, fmt.Sprintf("the request body did not arrive within %v (the limit for a whole body; send it at once)", s.opt.BodyTimeout)}
	}
}

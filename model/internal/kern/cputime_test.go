//go:build !js

package kern

import "syscall"

// cpuTime is the process's user+system CPU time in seconds. Benchmarks report
// it beside wall time because the benchmark machines are shared: wall time
// grows with other people's load, CPU time much less.
func cpuTime() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

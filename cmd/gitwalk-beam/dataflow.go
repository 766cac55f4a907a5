//go:build dataflow

package main

// The Dataflow runner and the gs:// filesystem pull in Google Cloud's client
// libraries, which take longer to build than the rest of the pipeline
// together: they are linked only when built with -tags dataflow (README.md).
import (
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/dataflow"
)

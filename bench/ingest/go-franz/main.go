// Variant (c): a minimal Go receiver with franz-go. Each request produces one record and
// answers 202 once that record is acknowledged by all in-sync replicas. Requests in flight
// at the same time share the producer's batches, which is what the Node ingest should match.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

const maxBodyBytes = 1 << 20

func main() {
	port := flag.String("port", envOr("PORT", "3000"), "port to listen on (127.0.0.1)")
	brokers := flag.String("brokers", envOr("KAFKA_BROKERS", "127.0.0.1:9092"), "comma-separated seed brokers")
	topic := flag.String("topic", envOr("BENCH_TOPIC", "bench.ingest.go-franz"), "topic to write to")
	linger := flag.Duration("linger", 5*time.Millisecond, "how long a partition's batch waits for more records")
	flag.Parse()

	// Idempotent writes are franz-go's default; acks from all ISR are required for them.
	client, err := kgo.NewClient(
		kgo.SeedBrokers(strings.Split(*brokers, ",")...),
		kgo.DefaultProduceTopic(*topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(*linger),
		kgo.ClientID("bench-go-franz"),
	)
	if err != nil {
		log.Fatalf("kafka client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err = client.Ping(ctx)
	cancel()
	if err != nil {
		log.Fatalf("kafka ping: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("POST /webhooks/nudj/{source}", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		key := r.Header.Get("X-Nudj-Delivery-Id")
		if key == "" {
			key = r.PathValue("source")
		}
		done := make(chan error, 1)
		client.Produce(r.Context(), &kgo.Record{Key: []byte(key), Value: body}, func(_ *kgo.Record, err error) {
			done <- err
		})
		if err := <-done; err != nil {
			http.Error(w, "not stored", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})

	server := &http.Server{Addr: "127.0.0.1:" + *port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
	}()
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("listen: %v", err)
	}
	client.Close()
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

/// The built-in performance profiles a scenario can name instead of writing one inline (`model: llama2-70b/h100x8`).
///
/// Each entry is one model on one instance shape, and its `profile` describes one replica (all `gpus` GPUs of it).
/// Two entries are measured: Llama-2-70B on 8 × H100 and 8 × A100, taken from the Splitwise profiles (Patel et al.,
/// "Splitwise: Efficient Generative LLM Inference Using Phase Splitting", ISCA 2024; data in
/// `../shared/data/splitwise_perf/perf_model.csv`). The Llama-3.1-8B entries are estimates (`estimate == true`) from
/// datasheet bandwidth and FLOPs, with efficiencies calibrated on the few published vLLM figures found; every number,
/// its derivation and its sources are listed beside it and in `docs/profiles.md`. Replace estimates with your own
/// measurements before trusting a capacity plan built on them.
public enum ProfileCatalog {
    /// One catalog profile and what it describes.
    public struct Entry: Sendable {
        /// Lower-case `model/gpu×count` id, as written in a scenario.
        public let id: String
        public let model: String
        public let gpu: String
        public let gpus: Int
        /// True when the numbers are derived or estimated rather than measured directly.
        public let estimate: Bool
        public let profile: PerformanceProfile
    }

    // Shared figures of the Llama-3.1-8B estimates (fp16/bf16 weights, one GPU, vLLM defaults).
    //  - Weights: 8.03 B parameters × 2 bytes = 16.06 GB (meta-llama/Llama-3.1-8B model card and config.json:
    //    32 layers, 8 KV heads, head dim 128, https://huggingface.co/meta-llama/Llama-3.1-8B).
    //  - KV cache: 2 (K and V) × 32 layers × 8 KV heads × 128 dims × 2 bytes = 131,072 bytes per token.
    //  - Decode step with n sequences, two kernels that do not overlap: the weight GEMMs, bounded by the larger of
    //    reading the weights and their FLOPs, max(16.06 GB ÷ (η × bandwidth), n × 16.06 GFLOP ÷ F), plus attention,
    //    reading each sequence's KV cache, n × 1,024 tokens × 131,072 B ÷ (η × bandwidth). 1,024 tokens is the
    //    assumed mean context while decoding (Azure LLM 2023 conversation trace: context p50 1,020 tokens).
    //  - The `.linear` step is the straight line through that roofline at n = 1 and at n = maxConcurrency: exact at
    //    both ends, never faster in between, and at most 32 % slower (A100 near n = 100, where its GEMMs turn
    //    compute-bound; H100 19 % near n = 150; A10G and L4 stay bandwidth-bound, so their line is exact).
    //  - η = 0.75 of peak bandwidth: vLLM decodes Llama-3.1-8B at ~75 tok/s alone on an A100-40GB, "roughly 77 % of
    //    the memory-bandwidth ceiling" (https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on). Not calibrated
    //    on the GDDR6 parts (A10G, L4). H100: η = 0.70, because NVIDIA's NeMo batch-1 latencies for Llama-2-7B are
    //    153.8 ms on H100 vs 234.0 ms on A100-80GB, a 0.66 ratio against a 0.61 bandwidth ratio: 0.75 × 0.61 / 0.66
    //    (https://docs.nvidia.com/nemo-framework/user-guide/latest/performance/llama.html).
    //  - Prefill: 2 × 8.03 B = 16.06 GFLOP per prompt token (attention adds ~7 % at 2 K context, ignored) at an
    //    effective F; prefillBase = one read of the weights, the floor of any forward pass.
    //  - KV budget, as vLLM sizes it: 0.90 (default gpu_memory_utilization) × total memory − 16.06 GB weights −
    //    2.53 GB for activations and the rest. The 2.53 GB reproduces the 13,248 blocks × 16 tokens vLLM reported for
    //    Llama-3-8B on a 48 GB RTX A6000 (49,140 MiB): 0.90 × 51.53 GB − 16.06 − 27.78 = 2.53 GB
    //    (https://github.com/vllm-project/vllm/pull/4454). Totals are nvidia-smi's MiB.
    //  - maxConcurrency: KV budget ÷ 1,024 tokens, capped at 256, vLLM's default max_num_seqs
    //    (vllm/engine/arg_utils.py, which also sets gpu_memory_utilization = 0.90). The simulator also enforces
    //    kvTokenBudget per request, so longer requests are limited by it first.
    private static let llama8BEstimateSource =
        "estimate: bandwidth/FLOPs roofline for vLLM fp16, see docs/profiles.md"

    /// Every entry: the measured ones first, then the estimates from the smallest GPU up.
    public static let entries: [Entry] = [
        // Medians of perf_model.csv rows llama2-70b, tensor_parallel 8, prompt_size 512, token_size < 1024
        // (25 rows at batch 1, 5 at each other batch). Decode: token_time in ms per output token.
        // Prefill: median prompt_time at batch 1 for prompts 512, 1024, 2048, 4096 = 53.86, 77.91, 136.80, 390.29 ms.
        // The unconstrained least-squares line has a negative base (−19.0 ms, rate 10,451 tok/s), which a profile
        // may not have; with base ≥ 0 the least-squares fit is base 0, rate Σx² ÷ Σxy = 11,219 tok/s (predicts 45.6,
        // 91.3, 182.6, 365.1 ms). Prefill is superlinear in prompt length (attention): 8,192 tokens take 844.9 ms
        // measured against 730 ms on the line, so long prompts run ~14 % slower than modelled.
        // maxConcurrency 64: the largest batch measured; beyond it the table would extrapolate the 32–64 slope.
        // KV budget (never binding for Llama-2's 4,096-token context: 64 × 4,096 = 262,144): fp16 KV = 2 × 80 layers
        // × 8 KV heads × 128 dims × 2 bytes = 327,680 B/token; 8 × 81,559 MiB = 684.2 GB × 0.90 = 615.7 GB − 138.0 GB
        // weights (69.0 B params × 2 B) − 8 × 2.5 GB activations = 457.8 GB ÷ 327,680 B = 1,397,000 tokens.
        Entry(
            id: "llama2-70b/h100x8", model: "Llama-2-70B", gpu: "H100", gpus: 8, estimate: false,
            profile: PerformanceProfile(
                prefillTokensPerSecond: 11_219, prefillBaseSeconds: 0,
                decodeStep: .table(
                    sequences: [1, 2, 4, 8, 16, 32, 64],
                    seconds: [0.029794, 0.030262, 0.031786, 0.032504, 0.034166, 0.038619, 0.050161]),
                maxConcurrency: 64, kvTokenBudget: 1_397_000,
                source: "Splitwise perf_model.csv (Mutinifni/splitwise-sim, MIT), medians, TP8, prompt 512")),
        // As above on A100-80GB. Prefill medians 93.02, 154.46, 274.22, 661.22 ms; unconstrained fit base −11.1 ms,
        // rate 6,257 tok/s; with base ≥ 0: base 0, rate 6,411 tok/s (predicts 79.9, 159.7, 319.5, 638.9 ms; 8,192
        // tokens: 1,278 ms against 1,549.8 ms measured). KV: 8 × 81,920 MiB = 687.2 GB × 0.90 = 618.5 GB − 138.0 GB
        // − 20 GB = 460.5 GB ÷ 327,680 B = 1,405,000 tokens.
        Entry(
            id: "llama2-70b/a100x8", model: "Llama-2-70B", gpu: "A100-80GB", gpus: 8, estimate: false,
            profile: PerformanceProfile(
                prefillTokensPerSecond: 6_411, prefillBaseSeconds: 0,
                decodeStep: .table(
                    sequences: [1, 2, 4, 8, 16, 32, 64],
                    seconds: [0.044991, 0.044559, 0.045792, 0.046465, 0.050435, 0.053017, 0.071605]),
                maxConcurrency: 64, kvTokenBudget: 1_405_000,
                source: "Splitwise perf_model.csv (Mutinifni/splitwise-sim, MIT), medians, TP8, prompt 512")),
        // A10G (AWS g5): 600 GB/s, 24 GB GDDR6, same memory as the A10 (https://www.baseten.co/blog/
        // nvidia-a10-vs-a10g-for-ml-model-inference/); the A10 datasheet gives 125 TFLOPS dense FP16 tensor
        // (https://www.nvidia.com/en-us/data-center/products/a10-gpu/) and the A10G has less (same post), so
        // F = 35 TFLOPS effective (assumed, 28 % of the A10 figure).
        // Weights read: 16.06 GB ÷ (0.75 × 600 GB/s) = 35.7 ms. KV read per sequence: 134.2 MB ÷ 450 GB/s = 0.298 ms.
        // KV: 0.90 × 23,028 MiB (24.15 GB) = 21.73 − 16.06 − 2.53 = 3.17 GB ÷ 131,072 B = 24,200 tokens; 24,200 ÷
        // 1,024 = 23 sequences. GEMMs stay bandwidth-bound up to 23 (23 × 16.06 GFLOP ÷ 35 TFLOPS = 10.6 ms < 35.7).
        // vLLM needs --max-model-len ≤ 24,200 here (Llama-3.1's default is 131,072).
        Entry(
            id: "llama3.1-8b/a10g", model: "Llama-3.1-8B", gpu: "A10G", gpus: 1, estimate: true,
            profile: PerformanceProfile(
                prefillTokensPerSecond: 2_180,  // 35 TFLOPS ÷ 16.06 GFLOP
                prefillBaseSeconds: 0.0357,
                decodeStep: .linear(baseSeconds: 0.0357, perSequenceSeconds: 0.000298),  // 36.0 ms at 1, 42.6 ms at 23
                maxConcurrency: 23, kvTokenBudget: 24_200, source: llama8BEstimateSource)),
        // L4 (AWS g6, GCP g2): 300 GB/s, 24 GB GDDR6, 242 TFLOPS FP16 tensor with sparsity = 121 dense, 72 W
        // (https://www.nvidia.com/en-us/data-center/l4/). F = 30 TFLOPS effective, 25 % of dense peak: assumed low
        // because the 72 W cap keeps clocks down under sustained tensor load.
        // Weights read: 16.06 GB ÷ (0.75 × 300 GB/s) = 71.4 ms. KV read per sequence: 134.2 MB ÷ 225 GB/s = 0.597 ms.
        // KV: 0.90 × 23,034 MiB (24.15 GB) = 21.74 − 16.06 − 2.53 = 3.18 GB ÷ 131,072 B = 24,200 tokens → 23 sequences.
        Entry(
            id: "llama3.1-8b/l4", model: "Llama-3.1-8B", gpu: "L4", gpus: 1, estimate: true,
            profile: PerformanceProfile(
                prefillTokensPerSecond: 1_870,  // 30 TFLOPS ÷ 16.06 GFLOP
                prefillBaseSeconds: 0.0714,
                decodeStep: .linear(baseSeconds: 0.0714, perSequenceSeconds: 0.000597),  // 72.0 ms at 1, 85.1 ms at 23
                maxConcurrency: 23, kvTokenBudget: 24_200, source: llama8BEstimateSource)),
        // A100-80GB SXM: 2,039 GB/s, 312 TFLOPS dense FP16 tensor (https://www.nvidia.com/en-us/data-center/a100/);
        // F = 50 % of peak = 156 TFLOPS (assumed; Splitwise's Llama-2-70B TP8 A100 prefill between 1 K and 2 K
        // tokens works out at ~47 %). PCIe A100-80GB (1,935 GB/s) takes ~5 % longer per step.
        // Weights read: 16.06 GB ÷ (0.75 × 2,039 GB/s) = 10.50 ms; KV per sequence 134.2 MB ÷ 1,529 GB/s = 0.088 ms.
        // At 256: GEMMs 256 × 16.06 GFLOP ÷ 156 TFLOPS = 26.4 ms (compute-bound) + attention 22.5 ms = 48.8 ms;
        // at 1: 10.59 ms. Line: perSequence (48.8 − 10.59) ÷ 255 = 0.150 ms, base 10.44 ms.
        // KV: 0.90 × 81,920 MiB (85.90 GB) = 77.31 − 16.06 − 2.53 = 58.75 GB ÷ 131,072 B = 448,200 tokens → 437
        // sequences of 1,024, capped at 256.
        Entry(
            id: "llama3.1-8b/a100", model: "Llama-3.1-8B", gpu: "A100-80GB", gpus: 1, estimate: true,
            profile: PerformanceProfile(
                prefillTokensPerSecond: 9_710,  // 156 TFLOPS ÷ 16.06 GFLOP
                prefillBaseSeconds: 0.0105,
                decodeStep: .linear(baseSeconds: 0.01044, perSequenceSeconds: 0.000150),  // 10.6 ms at 1, 48.8 at 256
                maxConcurrency: 256, kvTokenBudget: 448_200, source: llama8BEstimateSource)),
        // H100 SXM 80GB: 3,350 GB/s, 989 TFLOPS dense FP16 tensor (https://www.nvidia.com/en-us/data-center/h100/);
        // F = 35 % of peak = 346 TFLOPS (assumed lower than the A100's: in Splitwise's TP8 prefill the H100 reaches
        // ~30 % where the A100 reaches ~47 %). H100 PCIe (2,000 GB/s) takes ~65 % longer per step: not this entry.
        // Weights read: 16.06 GB ÷ (0.70 × 3,350 GB/s) = 6.85 ms; KV per sequence 134.2 MB ÷ 2,345 GB/s = 0.057 ms.
        // At 256: GEMMs 256 × 16.06 GFLOP ÷ 346 TFLOPS = 11.9 ms + attention 14.7 ms = 26.5 ms; at 1: 6.91 ms.
        // Line: perSequence (26.5 − 6.91) ÷ 255 = 0.077 ms, base 6.83 ms.
        // KV: 0.90 × 81,559 MiB (85.52 GB) = 76.97 − 16.06 − 2.53 = 58.41 GB ÷ 131,072 B = 445,600 tokens → 256.
        Entry(
            id: "llama3.1-8b/h100", model: "Llama-3.1-8B", gpu: "H100", gpus: 1, estimate: true,
            profile: PerformanceProfile(
                prefillTokensPerSecond: 21_550,  // 346 TFLOPS ÷ 16.06 GFLOP
                prefillBaseSeconds: 0.00685,
                decodeStep: .linear(baseSeconds: 0.00683, perSequenceSeconds: 0.0000770),  // 6.9 ms at 1, 26.5 at 256
                maxConcurrency: 256, kvTokenBudget: 445_600, source: llama8BEstimateSource)),
    ]

    /// The entry with this id, or nil.
    public static func entry(id: String) -> Entry? {
        entries.first { $0.id == id }
    }
}

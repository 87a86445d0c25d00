// llama-dump: writes every F32 intermediate tensor of one llama.cpp forward pass.
//
// Usage: llama-dump MODEL.gguf OUTDIR TOKEN_ID...
//
// The prompt's token ids are evaluated in one batch with llama.cpp's default context settings
// (flash attention auto, F16 KV cache) and 2 threads, as llama-server did for the reference
// files. Each tensor is written to OUTDIR/<name>.bin as raw little-endian floats; a name llama.cpp
// reuses (a matmul result, its reshape, its rope) gets #1, #2, … suffixes in order. Compare with
// `ponder generate --dump-tensors DIR` using compare.py.
#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

static std::string out_dir;
static std::map<std::string, int> seen;
static int call = 0;       // index of the llama_decode call in progress
static int dump_call = -1; // LLAMA_DUMP_CALL: the only call whose tensors are written (-1: all)

static bool on_tensor(struct ggml_tensor *t, bool ask, void *) {
    if (ask) return true;
    if (t->type != GGML_TYPE_F32) return true;
    if (dump_call >= 0 && call != dump_call) return true;
    const size_t n = (size_t)ggml_nelements(t);
    std::vector<float> values(n);
    ggml_backend_tensor_get(t, values.data(), 0, n * sizeof(float));
    const int k = seen[t->name]++;
    const std::string name = std::string(t->name) + (k ? "#" + std::to_string(k) : "");
    FILE *f = fopen((out_dir + "/" + name + ".bin").c_str(), "wb");
    if (!f) { perror(name.c_str()); return false; }
    fwrite(values.data(), sizeof(float), n, f);
    fclose(f);
    printf("%s [%lld %lld %lld]\n", name.c_str(), (long long)t->ne[0], (long long)t->ne[1], (long long)t->ne[2]);
    return true;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL.gguf OUTDIR TOKEN_ID...\n", argv[0]);
        return 2;
    }
    out_dir = argv[2];
    llama_backend_init();
    llama_model *model = llama_model_load_from_file(argv[1], llama_model_default_params());
    if (!model) return 1;
    llama_context_params params = llama_context_default_params();
    params.n_ctx = getenv("LLAMA_DUMP_NCTX") ? atoi(getenv("LLAMA_DUMP_NCTX")) : 512;
    params.n_batch = 512;
    params.n_threads = 2;
    params.n_threads_batch = 2;
    params.cb_eval = on_tensor;
    llama_context *ctx = llama_init_from_model(model, params);
    if (!ctx) return 1;
    std::vector<llama_token> tokens;
    for (int i = 3; i < argc; i++) tokens.push_back((llama_token)atoi(argv[i]));
    // LLAMA_DUMP_CHUNKS=a,b,...: evaluate the ids in llama_decode calls of a, b, … tokens (the
    // rest in one last call), as a server that reuses a cached prefix or decodes token by token
    // does; LLAMA_DUMP_ONE_BY_ONE=1: one call per token. The files hold the last call's tensors.
    std::vector<int> chunks;
    if (getenv("LLAMA_DUMP_ONE_BY_ONE")) chunks.assign(tokens.size(), 1);
    if (const char *spec = getenv("LLAMA_DUMP_CHUNKS")) {
        for (const char *p = spec; *p;) {
            chunks.push_back(atoi(p));
            while (*p && *p != ',') p++;
            if (*p == ',') p++;
        }
    }
    if (const char *which = getenv("LLAMA_DUMP_CALL")) dump_call = atoi(which);
    size_t done = 0;
    for (size_t c = 0; done < tokens.size(); c++, call++) {
        const size_t n = c < chunks.size() ? (size_t)chunks[c] : tokens.size() - done;
        seen.clear();
        if (llama_decode(ctx, llama_batch_get_one(tokens.data() + done, (int32_t)n)) != 0) return 1;
        done += n;
    }
    // The last token's log-probabilities of its 5 most likely successors, as llama-server reports them.
    const float *logits = llama_get_logits_ith(ctx, -1);
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    double max = logits[0], sum = 0;
    for (int i = 1; i < n_vocab; i++) max = logits[i] > max ? logits[i] : max;
    for (int i = 0; i < n_vocab; i++) sum += exp(logits[i] - max);
    std::vector<int> order(n_vocab);
    for (int i = 0; i < n_vocab; i++) order[i] = i;
    std::partial_sort(order.begin(), order.begin() + 5, order.end(), [&](int a, int b) { return logits[a] > logits[b]; });
    for (int k = 0; k < 5; k++) fprintf(stderr, "top %d: %d %.5f\n", k, order[k], logits[order[k]] - max - log(sum));
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}

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

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

static std::string out_dir;
static std::map<std::string, int> seen;

static bool on_tensor(struct ggml_tensor *t, bool ask, void *) {
    if (ask) return true;
    if (t->type != GGML_TYPE_F32) return true;
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
    params.n_ctx = 512;
    params.n_batch = 512;
    params.n_threads = 2;
    params.n_threads_batch = 2;
    params.cb_eval = on_tensor;
    llama_context *ctx = llama_init_from_model(model, params);
    if (!ctx) return 1;
    std::vector<llama_token> tokens;
    for (int i = 3; i < argc; i++) tokens.push_back((llama_token)atoi(argv[i]));
    if (llama_decode(ctx, llama_batch_get_one(tokens.data(), (int32_t)tokens.size())) != 0) return 1;
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}

"""Small, documented fixes that make hanlp 2.1.5 train and load offline here.

1. CRF orientation. `hanlp.components.taggers.rnn.rnntaggingmodel.RNNTaggingModel.__init__`
   builds its CRF as `CRF(n_out, crf_constraints)`. The second positional parameter of
   `hanlp.layers.crf.crf.CRF.__init__` is `batch_first`, so the CRF gets `batch_first=None`
   (falsy) while the BiLSTM and every tensor it receives are batch-first. The CRF then treats
   the batch axis as time: the loss still falls, but Viterbi decodes across sentences and dev F1
   stays near 0. Fix: `FixedRNNNamedEntityRecognizer` (a subclass of HanLP's trainer) sets
   `model.crf.batch_first = True` right after `build_model`, which runs both when training and
   when `hanlp.load` rebuilds a saved model (the saved config names this class), so no HanLP
   code is modified and nothing global changes.
2. `transformers.optimization.AdamW`: hanlp's transformer trainers import it; transformers
   removed it in 4.50. The project pins 4.46.3, where it still exists; `apply()` only aliases
   `torch.optim.AdamW` there when it is missing, so a newer transformers does not break
   `hanlp.load` of the transformer-based pretrained models.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
from hanlp.common.dataset import PadSequenceDataLoader, SortingSampler, TransformableDataset
from hanlp.common.vocab import Vocab, VocabCounter
from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer
from hanlp.layers.crf.crf import CRF
from hanlp.utils.time_util import CountdownTimer
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from kg.ner.gazetteer import FILE as GAZETTEER_FILE
from kg.ner.gazetteer import N_BITS, NameLexicon, fold
from kg.ner.names import split_person_spans


def apply() -> None:
    """Idempotent: make hanlp importable/loadable with the installed transformers."""
    try:
        import transformers.optimization as opt
    except Exception:  # transformers absent: only the RNN models can be used, which is fine
        return
    if not hasattr(opt, "AdamW"):
        opt.AdamW = torch.optim.AdamW


def fix_crf(model):
    """Make a built RNNTaggingModel's CRF batch-first (see module docstring, point 1)."""
    crf = getattr(model, "crf", None)
    if crf is not None and not crf.batch_first:
        crf.batch_first = True
    return model


class FixedRNNNamedEntityRecognizer(RNNNamedEntityRecognizer):
    """HanLP's RNNNamedEntityRecognizer with its CRF built batch-first."""

    def build_model(self, **kwargs):
        return fix_crf(super().build_model(**kwargs))


# ---------------------------------------------------------------- the project's component
#
# A HanLP component (trained with HanLP's fit/evaluate/save/load machinery) that adds character
# bigram features to the BiLSTM-CRF: on Chinese NER, bigrams are the cheapest strong feature
# (a word-boundary signal without a segmenter). Each character gets [char; left bigram; right
# bigram] embeddings. The char table can start from vectors pretrained on the corpora's raw text.


class BigramTaggingModel(nn.Module):
    """Embeddings (char + left/right bigram [+ lexicon bits]) → BiLSTM → linear → batch-first CRF."""

    def __init__(self, n_chars: int, char_dim: int, n_bigrams: int, bigram_dim: int, rnn_hidden: int,
                 n_out: int, drop: float = 0.3, lex_bits: int = 0) -> None:
        super().__init__()
        self.lex_bits = lex_bits
        self.char_embed = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.bigram_embed = nn.Embedding(n_bigrams, bigram_dim, padding_idx=0)
        self.lstm = nn.LSTM(char_dim + 2 * bigram_dim + lex_bits, rnn_hidden, batch_first=True,
                            bidirectional=True)
        self.drop = nn.Dropout(drop)
        self.out = nn.Linear(2 * rnn_hidden, n_out)
        self.crf = CRF(n_out, batch_first=True)
        nn.init.xavier_uniform_(self.out.weight)

    def forward(self, x: torch.Tensor, batch=None, **kwargs):
        mask = x.gt(0)
        lens = mask.sum(1)
        bi = batch["bigram_id"]  # bi[:, i] = id of text[i:i+2] (right bigram); left = shifted by one
        left = torch.cat([torch.zeros_like(bi[:, :1]), bi[:, :-1]], 1)
        e = self.drop(torch.cat([self.char_embed(x), self.bigram_embed(left), self.bigram_embed(bi)], -1))
        if self.lex_bits:
            bits = torch.arange(self.lex_bits, device=x.device)
            e = torch.cat([e, (batch["lexicon_id"].unsqueeze(-1) >> bits & 1).float()], -1)
        packed = pack_padded_sequence(e, lens.cpu(), batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=x.size(1))
        return self.out(self.drop(h)), mask


def _lexicon_transform(gazetteer: NameLexicon, training: bool):
    """HanLP transform: the lexicon bit mask of every character (see kg.ner.gazetteer); while
    training, entries known only from the sentence's own MSRA fold are hidden."""

    def transform(sample: dict) -> dict:
        chars = sample["token"]
        sample["lexicon_id"] = gazetteer.features(chars, hide_fold=fold(chars) if training else None)
        return sample

    return transform


def _add_bigrams(sample: dict) -> dict:
    """HanLP transform: the right bigram of every character (`</s>` closes the sentence)."""
    chars = sample["token"]
    sample["bigram"] = [a + b for a, b in zip(chars, [*chars[1:], "</s>"], strict=True)]
    return sample


def _warm_start(model: BigramTaggingModel, weights: Path) -> None:
    """Copy a saved model's weights into `model`; LSTM input columns it lacks start near zero."""
    state = torch.load(weights, map_location="cpu", weights_only=True)
    own = model.state_dict()
    for name, w in state.items():
        if name.startswith("lstm.weight_ih") and w.shape != own[name].shape:
            grown = own[name].clone() * 0.1
            grown[:, : w.shape[1]] = w
            w = grown
        own[name] = w
    model.load_state_dict(own)


class BigramRNNNamedEntityRecognizer(FixedRNNNamedEntityRecognizer):
    """RNNNamedEntityRecognizer + character bigram features, a per-step linear lr decay, no
    per-batch training decode (Viterbi on every training batch only fed a progress metric and
    cost ~15% of the epoch on CPU).

    Extra fit() options: bigram_embed (dim), min_bigram_freq, char_vectors (a torch file of
    {"chars": [...], "vectors": Tensor} used to initialise the char table), warmup (steps),
    lexicon (a kg.ner.gazetteer file: adds lexicon bit features; saved beside the model),
    init_from (a model directory of this class: start from its vocabs and weights; weights for
    inputs it lacks, such as the lexicon bits, start small).
    """

    def _gazetteer(self) -> NameLexicon | None:
        if not self.config.get("lexicon"):
            return None
        if getattr(self, "_lexicon", None) is None:
            self._lexicon = NameLexicon.load(self.config.lexicon)
        return self._lexicon

    def load_vocabs(self, save_dir, filename="vocabs.json"):
        super().load_vocabs(save_dir, filename)
        path = Path(save_dir) / GAZETTEER_FILE
        self._lexicon = NameLexicon.load(path) if path.exists() else None

    def save_vocabs(self, save_dir, filename="vocabs.json"):
        super().save_vocabs(save_dir, filename)
        if (g := self._gazetteer()) is not None:
            g.save(Path(save_dir) / GAZETTEER_FILE)

    def predict_data(self, data, batch_size, **kwargs):
        """HanLP's prediction, then runs of person names split into names (kg.ner.names) when a
        lexicon is present and `split_names` is not switched off in the config."""
        outputs = super().predict_data(data, batch_size, **kwargs)
        g = self._gazetteer()
        if g is None or not self.config.get("split_names", True):
            return outputs
        known = g.names("PER")
        for k, (tokens, ents) in enumerate(zip(data, outputs, strict=True)):
            if not any(e[1] == "PER" and e[3] - e[2] >= 4 for e in ents) or any(len(t) != 1 for t in tokens):
                continue
            text = "".join(tokens)
            spans = split_person_spans(text, [(b, e, t) for _, t, b, e in ents], known)
            outputs[k] = [(text[b:e], t, b, e) for b, e, t in spans]
        return outputs

    def build_dataloader(self, data, batch_size, shuffle, device, logger=None, training=None, **kwargs):
        transforms = [_add_bigrams]
        if (g := self._gazetteer()) is not None:
            transforms.append(_lexicon_transform(g, bool(training)))
        dataset = data if isinstance(data, TransformableDataset) else self.build_dataset(
            data, transform=[*transforms, self.vocabs])
        if self.vocabs.mutable and self.config.get("init_from"):
            self.vocabs.load_vocabs(self.config.init_from, "vocabs.json")
            self.vocabs.lock()
        if self.vocabs.mutable:
            self.build_vocabs(dataset, logger)
        # lengths from the raw samples: iterating `dataset` would run every transform twice
        raw = dataset.data if isinstance(dataset.data, list) else list(dataset)
        sampler = SortingSampler([len(s[self.config.token_key]) for s in raw], batch_size, shuffle=shuffle)
        return PadSequenceDataLoader(dataset, device=device, batch_sampler=sampler, vocabs=self.vocabs)

    def build_vocabs(self, dataset, logger):
        self.vocabs.tag = Vocab(unk_token=None, pad_token=None)
        self.vocabs[self.config.token_key] = Vocab()
        self.vocabs.bigram = VocabCounter()
        for _ in dataset:
            pass
        self.vocabs.bigram.trim(self.config.get("min_bigram_freq", 2))
        self.vocabs.bigram.counter.clear()  # saved vocabs.json needs the ids, not the counts
        self.vocabs.lock()
        self.vocabs.summary(logger)

    def build_model(self, training=True, **kwargs):
        cfg = self.config
        model = BigramTaggingModel(len(self.vocabs[cfg.token_key]), cfg.embed, len(self.vocabs.bigram),
                                   cfg.get("bigram_embed", 50), cfg.rnn_hidden, len(self.vocabs.tag),
                                   cfg.drop, N_BITS if cfg.get("lexicon") else 0)
        path = cfg.get("char_vectors")
        if training and cfg.get("init_from"):
            _warm_start(model, Path(cfg.init_from) / "model.pt")
        elif training and path:
            pre = torch.load(path, weights_only=True)
            index = {c: i for i, c in enumerate(pre["chars"])}
            vec = pre["vectors"]
            weight = model.char_embed.weight.data
            scale = weight.std() / vec.std()
            hit = 0
            for i, c in enumerate(self.vocabs[cfg.token_key].idx_to_token):
                j = index.get(c)
                if j is not None and i > 0:
                    weight[i] = vec[j] * scale
                    hit += 1
            if kwargs.get("logger"):
                kwargs["logger"].info(f"char vectors: {hit}/{len(weight)} initialised from {path}")
        return model

    def build_scheduler(self, **kwargs):
        return None  # the lr follows a per-step linear decay in fit_dataloader

    def _progress(self, step: int, total: int) -> float:
        """Fraction of training done: by steps, or by wall time when `time_budget` (s) is set and
        the machine is slower than planned, so the lr still anneals and training ends in time."""
        done = step / total
        budget = self.config.get("time_budget")
        if budget:
            done = max(done, (time.time() - self._t0) / budget)
        return done

    def fit_dataloader(self, trn, criterion, optimizer, metric, logger, ratio_width=None, **kwargs):
        self.model.train()
        total = max(1, len(trn) * self.config.epochs)
        warmup = self.config.get("warmup", 100)
        step0 = getattr(self, "_step", 0)
        if step0 == 0:
            self._t0 = time.time()
        if self._progress(step0, total) >= 1:
            self._out_of_time = True
            return
        timer = CountdownTimer(len(trn))
        total_loss = 0.0
        for idx, batch in enumerate(trn):
            step = step0 + idx + 1
            done = self._progress(step - 1, total)
            if done >= 1:
                self._out_of_time = True
                if logger:
                    logger.info(f"time budget spent after {idx} of {len(trn)} batches")
                break
            factor = min(step / warmup, max(0.02, 1 - done))
            for group in optimizer.param_groups:
                group["lr"] = self.config.lr * factor
            optimizer.zero_grad()
            out, mask = self.feed_batch(batch)
            loss = self.compute_loss(criterion, out, batch["tag_id"], mask)
            loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
            optimizer.step()
            total_loss += loss.item()
            timer.log(f"loss: {total_loss / (idx + 1):.4f} lr: {optimizer.param_groups[0]['lr']:.5f}",
                      ratio_percentage=False, logger=logger, ratio_width=ratio_width)
        self._step = step0 + len(trn)

    def evaluate_dataloader(self, data, criterion, logger=None, ratio_width=None, **kwargs):
        """After the time budget is spent, the remaining epochs are no-ops: reuse the last dev score
        (not better than itself, so nothing is re-saved) instead of re-running dev each time."""
        cached = getattr(self, "_final_dev", None)
        if cached is not None:
            return cached
        result = super().evaluate_dataloader(data, criterion, logger, ratio_width, **kwargs)
        if getattr(self, "_out_of_time", False) and self.model.training is False:
            self._final_dev = result
        return result

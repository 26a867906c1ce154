#!/usr/bin/env bash
# Generates the bundled queue prompts (issue 4) with espeak-ng + sox: 8 kHz mono A-law WAV
# in assets/prompts/en/ and assets/prompts/zh/. The names are the ones @hotline/ivr asks for
# (say-number.ts NUMBER_PROMPTS, queue-prompts.ts PHRASE_PROMPTS). The outputs are committed;
# CI does not run this. A hotline replaces any file with a recording of the same name (README
# "Queues (ACD …)": format and sox command).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-prompts: $tool is not installed" >&2; exit 1; }
done
out=assets/prompts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# say VOICE DIR NAME TEXT: speak TEXT, resample to 8 kHz mono, band-limit for the phone line,
# trim the silence espeak-ng leaves around words (prompts are played back to back, so a number
# must not sound spelled out) and keep 80 ms after, normalise to -3 dBFS, encode A-law (G.711
# is what goes on the wire: no transcoding at play).
say() {
  local voice=$1 dir=$2 name=$3 text=$4
  mkdir -p "$out/$dir"
  espeak-ng -v "$voice" -s 150 -w "$tmp/raw.wav" -- "$text"
  sox "$tmp/raw.wav" -r 8000 -c 1 -e a-law -b 8 "$out/$dir/$name.wav" gain -6 highpass 300 lowpass 3400 \
    silence 1 0.01 1% reverse silence 1 0.01 1% reverse pad 0 0.08 norm -3
}

# English: 0..19, tens, hundred, thousand, and the phrases.
en_words=(zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen)
for i in "${!en_words[@]}"; do say en en "$i" "${en_words[$i]}"; done
tens=([20]=twenty [30]=thirty [40]=forty [50]=fifty [60]=sixty [70]=seventy [80]=eighty [90]=ninety)
for n in "${!tens[@]}"; do say en en "$n" "${tens[$n]}"; done
say en en hundred "hundred"
say en en thousand "thousand"
say en en caller-number "You are caller number"
say en en in-queue "in the queue."
say en en estimated-wait "Your estimated wait is"
say en en minute "minute."
say en en minutes "minutes."
say en en less-than-minute "less than one minute."
say en en all-busy "All our agents are busy. Please hold, your call is important to us."
say en en press-1-callback "Press 1 to be called back. You will keep your place in the queue."
say en en callback-thanks "Thank you. We will call you back."
say en en callback-greeting "This is the hotline returning your call. Please hold for an agent."

# Mandarin (espeak-ng voice cmn): 零..九, 两, 十 百 千, and the phrases. The phrases are cut so
# that "caller-number N in-queue" reads 您现在排在第 N 位.
zh_digits=(零 一 二 三 四 五 六 七 八 九)
for i in "${!zh_digits[@]}"; do say cmn zh "$i" "${zh_digits[$i]}"; done
say cmn zh liang "两"
say cmn zh shi "十"
say cmn zh bai "百"
say cmn zh qian "千"
say cmn zh caller-number "您现在排在第"
say cmn zh in-queue "位。"
say cmn zh estimated-wait "预计等待时间"
say cmn zh minute "分钟。"
say cmn zh minutes "分钟。"
say cmn zh less-than-minute "不到一分钟。"
say cmn zh all-busy "座席正忙，请耐心等待。"
say cmn zh press-1-callback "如需回电，请按1，您的排队位置将保留。"
say cmn zh callback-thanks "谢谢，我们会给您回电。"
say cmn zh callback-greeting "您好，这里是热线，现在给您回电，请稍候，正在为您接通座席。"
echo "make-prompts: $(find "$out" -name '*.wav' | wc -l) prompts in $out"

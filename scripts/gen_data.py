#!/usr/bin/env python3
"""Deterministic synthetic Japanese medical/care facility lists in the OFFICIAL
open-data layouts, for scale tests and benchmarks of `tsunagi import`.

usage: python3 scripts/gen_data.py N OUTDIR [--seed 42] [--layout all|medical|care|mhlw-care]
                                  [--localgov data/reference/localgovjp/localgovjp-utf8.csv]

Writes files whose data rows add up to exactly N:
  medical.csv        自治体標準 医療機関一覧 (42 columns), UTF-8 with BOM, CRLF
  care.csv           自治体標準 介護サービス事業所一覧 (36 columns), CP932, CRLF;
                     one row per (事業所, サービス), ~30% of offices have 2-3 services
  kaigo_<code>.csv   厚生労働省 介護サービス情報公表システム (24 columns), one file per
                     service code (110 訪問介護, 130 訪問看護, ...), UTF-8 with BOM, CRLF
With --layout all, N is split in national proportions (per 413 facilities:
clinics 105, dental 68, hospitals 8, pharmacies 62 in medical.csv; care
services 170, half in care.csv and half in the kaigo_*.csv files).

Facilities are placed around the office point of REAL municipalities
(data/reference/localgovjp), chosen with a population-like weight, and carry
the quirks of real files: Excel day fractions as times (~3%), multi-line
診療日時特記事項 (~20%), blank (~2%), 0/0.0 (~1%) and swapped (~0.5%)
coordinates, full-width digits with 「ー」 in addresses, (0833)48-1111 phones,
法人番号 with valid check digits, 定員 0 meaning "not entered", e-mail
addresses in the URL column of the MHLW files.

Same N and seed -> byte-identical files. Python 3.11 standard library only;
rows are streamed, so memory stays small (pools of codes only).
At the end each file's path, row count and SHA-256 are printed.
"""
import argparse
import bisect
import csv
import hashlib
import math
import os
import random
import sys
from itertools import accumulate
from pathlib import Path

# ---------------------------------------------------------------- headers

MEDICAL_HEADER = (
    "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英字,医療機関の種類,所在地_全国地方公共団体コード,"
    "町字ID,所在地_連結表記,所在地_都道府県,所在地_市区町村,所在地_町字,所在地_番地以下,建物名等(方書),緯度,経度,"
    "高度の種別,高度の値,電話番号,内線番号,FAX番号,連絡先メールアドレス,連絡先FormURL,連絡先備考（その他、SNSなど）,"
    "郵便番号,法人番号,法人の名称,医療機関コード,診療曜日,診療開始時間,診療終了時間,診療日時特記事項,時間外における対応,"
    "診療科目,病床数,災害拠点分類,状況,URL,画像,画像_ライセンス,備考"
).split(",")
CARE_HEADER = (
    "全国地方公共団体コード,ID,地方公共団体名,介護サービス事業所名称,介護サービス事業所名称_カナ,介護サービス事業所名称_英字,"
    "実施サービス,所在地_全国地方公共団体コード,町字ID,所在地_連結表記,所在地_都道府県,所在地_市区町村,所在地_町字,"
    "所在地_番地以下,建物名等(方書),緯度,経度,高度の種別,高度の値,電話番号,内線番号,FAX番号,連絡先メールアドレス,"
    "連絡先FormURL,連絡先備考（その他、SNSなど）,郵便番号,法人番号,法人の名称,事業所番号,利用可能曜日,"
    "利用可能曜日特記事項,定員,URL,画像,画像_ライセンス,備考"
).split(",")
MHLW_HEADER = (
    "都道府県コード又は市町村コード,No,都道府県名,市区町村名,事業所名,事業所名カナ,サービスの種類,住所,方書（ビル名等）,"
    "緯度,経度,電話番号,FAX番号,法人番号,法人の名称,事業所番号,利用可能曜日,利用可能曜日特記事項,定員,URL,"
    "高齢者の方と障害者の方が同時一体的に利用できるサービス,介護保険の通常の指定基準を満たしている,"
    "障害福祉の通常の指定基準を満たしている,備考"
).split(",")
assert len(MEDICAL_HEADER) == 42 and len(CARE_HEADER) == 36 and len(MHLW_HEADER) == 24

# ---------------------------------------------------------------- vocabulary
# (text, katakana, romaji) — the patterns of tools/gen.py, with readings.

def _hira(s):
    """Katakana -> hiragana (さとう歯科 from サトウ)."""
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in s)


def _kata(s):
    """Hiragana -> katakana (other characters unchanged)."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in s)


SURN = [("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"), ("高橋", "タカハシ", "takahashi"),
        ("田中", "タナカ", "tanaka"), ("伊藤", "イトウ", "ito"), ("渡辺", "ワタナベ", "watanabe"),
        ("山本", "ヤマモト", "yamamoto"), ("中村", "ナカムラ", "nakamura"), ("小林", "コバヤシ", "kobayashi"),
        ("加藤", "カトウ", "kato"), ("吉田", "ヨシダ", "yoshida"), ("山田", "ヤマダ", "yamada"),
        ("佐々木", "ササキ", "sasaki"), ("山口", "ヤマグチ", "yamaguchi"), ("松本", "マツモト", "matsumoto"),
        ("井上", "イノウエ", "inoue"), ("木村", "キムラ", "kimura"), ("林", "ハヤシ", "hayashi"),
        ("斎藤", "サイトウ", "saito"), ("清水", "シミズ", "shimizu"), ("山崎", "ヤマザキ", "yamazaki"),
        ("森", "モリ", "mori"), ("阿部", "アベ", "abe"), ("池田", "イケダ", "ikeda"), ("橋本", "ハシモト", "hashimoto"),
        ("山下", "ヤマシタ", "yamashita"), ("石川", "イシカワ", "ishikawa"), ("中島", "ナカジマ", "nakajima"),
        ("前田", "マエダ", "maeda"), ("藤田", "フジタ", "fujita"), ("後藤", "ゴトウ", "goto"), ("小川", "オガワ", "ogawa"),
        ("岡田", "オカダ", "okada"), ("村上", "ムラカミ", "murakami"), ("長谷川", "ハセガワ", "hasegawa"),
        ("近藤", "コンドウ", "kondo"), ("石井", "イシイ", "ishii"), ("坂本", "サカモト", "sakamoto"),
        ("遠藤", "エンドウ", "endo"), ("藤井", "フジイ", "fujii"), ("青木", "アオキ", "aoki"), ("福田", "フクダ", "fukuda"),
        ("三浦", "ミウラ", "miura"), ("西村", "ニシムラ", "nishimura"), ("藤原", "フジワラ", "fujiwara"),
        ("太田", "オオタ", "ota"), ("松田", "マツダ", "matsuda"), ("原田", "ハラダ", "harada"),
        ("岡本", "オカモト", "okamoto"), ("中野", "ナカノ", "nakano"), ("松井", "マツイ", "matsui"),
        ("竹内", "タケウチ", "takeuchi"), ("金子", "カネコ", "kaneko"), ("和田", "ワダ", "wada"), ("中山", "ナカヤマ", "nakayama"),
        ("石田", "イシダ", "ishida"), ("上田", "ウエダ", "ueda"), ("森田", "モリタ", "morita"), ("原", "ハラ", "hara"),
        ("柴田", "シバタ", "shibata"), ("酒井", "サカイ", "sakai"), ("工藤", "クドウ", "kudo"), ("横山", "ヨコヤマ", "yokoyama"),
        ("宮崎", "ミヤザキ", "miyazaki"), ("宮本", "ミヤモト", "miyamoto"), ("内田", "ウチダ", "uchida"),
        ("高木", "タカギ", "takagi"), ("安藤", "アンドウ", "ando"), ("谷口", "タニグチ", "taniguchi"), ("大野", "オオノ", "ono"),
        ("丸山", "マルヤマ", "maruyama"), ("今井", "イマイ", "imai"), ("高田", "タカダ", "takada"), ("藤本", "フジモト", "fujimoto"),
        ("武田", "タケダ", "takeda"), ("村田", "ムラタ", "murata"), ("上野", "ウエノ", "ueno"), ("杉山", "スギヤマ", "sugiyama"),
        ("増田", "マスダ", "masuda"), ("平野", "ヒラノ", "hirano"), ("大塚", "オオツカ", "otsuka"), ("千葉", "チバ", "chiba"),
        ("久保", "クボ", "kubo"), ("松井", "マツイ", "matsui"), ("小島", "コジマ", "kojima"), ("岩崎", "イワサキ", "iwasaki"),
        ("桜井", "サクライ", "sakurai"), ("野口", "ノグチ", "noguchi"), ("松尾", "マツオ", "matsuo"), ("野村", "ノムラ", "nomura"),
        ("木下", "キノシタ", "kinoshita"), ("菊地", "キクチ", "kikuchi"), ("佐野", "サノ", "sano"), ("大西", "オオニシ", "onishi"),
        ("杉本", "スギモト", "sugimoto"), ("新井", "アライ", "arai"), ("浜田", "ハマダ", "hamada"), ("菅原", "スガワラ", "sugawara"),
        ("市川", "イチカワ", "ichikawa"), ("水野", "ミズノ", "mizuno")]
SURN = list(dict((x[0], x) for x in SURN).values())
HIRA = [(h, _kata(h), r) for h, r in [
    ("さくら", "sakura"), ("ひまわり", "himawari"), ("あおば", "aoba"), ("みどり", "midori"), ("すみれ", "sumire"),
    ("かえで", "kaede"), ("つばさ", "tsubasa"), ("ひかり", "hikari"), ("なごみ", "nagomi"), ("やすらぎ", "yasuragi"),
    ("こもれび", "komorebi"), ("あさひ", "asahi"), ("ゆうゆう", "yuyu"), ("はなみずき", "hanamizuki"),
    ("たんぽぽ", "tanpopo"), ("ふれあい", "fureai"), ("いきいき", "ikiiki"), ("にこにこ", "nikoniko"),
    ("ほほえみ", "hohoemi"), ("わかば", "wakaba"), ("こすもす", "kosumosu"), ("あじさい", "ajisai"),
    ("つくし", "tsukushi"), ("なでしこ", "nadeshiko"), ("ふたば", "futaba"), ("のぞみ", "nozomi"), ("めぐみ", "megumi"),
    ("やまびこ", "yamabiko"), ("そよかぜ", "soyokaze"), ("ひだまり", "hidamari"), ("ぬくもり", "nukumori"),
    ("まごころ", "magokoro"), ("ゆずりは", "yuzuriha"), ("さつき", "satsuki"), ("もみじ", "momiji")]]
KATA = [("ケアサポート", "ケアサポート", "care-support"), ("ライフ", "ライフ", "life"), ("ハート", "ハート", "heart"),
        ("ホーム", "ホーム", "home"), ("メディカル", "メディカル", "medical"), ("グリーン", "グリーン", "green"),
        ("サンライズ", "サンライズ", "sunrise"), ("オリーブ", "オリーブ", "olive"),
        ("ハーモニー", "ハーモニー", "harmony"), ("リーフ", "リーフ", "leaf")] + [(k, k, r) for k, r in [
    ("ケアリンク", "care-link"), ("ソレイユ", "soleil"), ("アイリス", "iris"), ("ルピナス", "lupinus"),
    ("ブルーム", "bloom"), ("エール", "yell"), ("ステラ", "stella"), ("コスモス", "cosmos"), ("ミモザ", "mimosa"),
    ("ピース", "peace"), ("ウェルネス", "wellness"), ("フォレスト", "forest"), ("ネクスト", "next"),
    ("アース", "earth"), ("ベル", "bell")]]
# 診療科目 with a weight (内科 is by far the most common first department)
SPEC = [("内科", "ナイカ", 30), ("外科", "ゲカ", 4), ("小児科", "ショウニカ", 7), ("整形外科", "セイケイゲカ", 8),
        ("皮膚科", "ヒフカ", 5), ("眼科", "ガンカ", 5), ("耳鼻咽喉科", "ジビインコウカ", 4),
        ("産婦人科", "サンフジンカ", 2), ("精神科", "セイシンカ", 3), ("心療内科", "シンリョウナイカ", 3),
        ("泌尿器科", "ヒニョウキカ", 2), ("脳神経外科", "ノウシンケイゲカ", 2),
        ("リハビリテーション科", "リハビリテーションカ", 3), ("循環器内科", "ジュンカンキナイカ", 4),
        ("消化器内科", "ショウカキナイカ", 4)]
SPEC_CUM = list(accumulate(s[2] for s in SPEC))
EXTRA_SPEC = ["アレルギー科", "放射線科", "麻酔科", "呼吸器内科", "糖尿病内科", "形成外科", "神経内科", "婦人科"]
DENTAL_SPEC = ["小児歯科", "矯正歯科", "歯科口腔外科"]
TOWN = [("本町", "ホンマチ"), ("栄町", "サカエマチ"), ("緑町", "ミドリチョウ"), ("旭町", "アサヒマチ"),
        ("幸町", "サイワイチョウ"), ("中央", "チュウオウ"), ("東町", "ヒガシマチ"), ("西町", "ニシマチ"),
        ("南町", "ミナミマチ"), ("北町", "キタマチ"), ("田無町", "タナシチョウ"), ("保谷町", "ホウヤチョウ"),
        ("小川町", "オガワマチ"), ("富士見町", "フジミチョウ"), ("若葉町", "ワカバチョウ"),
        ("桜ヶ丘", "サクラガオカ"), ("青葉台", "アオバダイ"), ("泉町", "イズミチョウ"), ("錦町", "ニシキチョウ"),
        ("日の出町", "ヒノデチョウ"), ("昭和町", "ショウワチョウ"), ("大手町", "オオテマチ"), ("宮前町", "ミヤマエチョウ"),
        ("八幡町", "ヤハタチョウ"), ("寿町", "コトブキチョウ"), ("松原", "マツバラ"), ("新町", "シンマチ"),
        ("元町", "モトマチ"), ("港町", "ミナトマチ"), ("住吉町", "スミヨシチョウ"), ("春日町", "カスガチョウ"),
        ("朝日町", "アサヒマチ"), ("千代田", "チヨダ"), ("平和町", "ヘイワチョウ"), ("花園町", "ハナゾノチョウ"),
        ("末広町", "スエヒロチョウ"), ("弥生町", "ヤヨイチョウ"), ("常盤町", "トキワチョウ"), ("城山", "シロヤマ"),
        ("駅前", "エキマエ")]
_ROMA = dict(zip(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ",
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho ma mi mu me mo "
    "ya yu yo ra ri ru re ro wa o n ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po".split()))


def _roma(kana):
    """Katakana -> plain romaji for web addresses (ホンマチ -> honmachi)."""
    out, double = [], False
    for c in kana:
        if c == "ッ":
            double = True
            continue
        if c in "ャュョ" and out and out[-1].endswith("i"):
            last = out.pop()
            base = last[:-1] if last[:-1] in ("sh", "ch", "j") else last[:-1] + "y"
            out.append(base + {"ャ": "a", "ュ": "u", "ョ": "o"}[c])
            continue
        r = _ROMA.get(c, "")
        if double and r:
            r = r[0] + r
        double = False
        out.append(r)
    return "".join(out)


TOWN_ROMA = {t: _roma(k) for t, k in TOWN}

CH = [("薬局", "ヤッキョク"), ("ファーマシー", "ファーマシー"), ("調剤薬局", "チョウザイヤッキョク")]
BUILDING = ["{s}ビル{d}F", "{s}ビル{d}Ｆ", "{k}{d}階", "{t}ハイツ{d}01号", "{k}ビル　{d}階", "ゆめタウン{c}{d}階"]

# literal pieces of names and their readings
LIT = {
    "クリニック": "クリニック", "医院": "イイン", "医療法人社団": "イリョウホウジンシャダン", "医療法人": "イリョウホウジン",
    "会": "カイ", "歯科医院": "シカイイン", "歯科クリニック": "シカクリニック", "歯科": "シカ",
    "デンタルクリニック": "デンタルクリニック", "デンタルオフィス": "デンタルオフィス", "中央病院": "チュウオウビョウイン", "病院": "ビョウイン",
    "立病院": "リツビョウイン", "総合病院": "ソウゴウビョウイン", "店": "テン",
    "訪問看護ステーション": "ホウモンカンゴステーション", "訪問看護": "ホウモンカンゴ",
    "ケアプランセンター": "ケアプランセンター", "居宅介護支援事業所": "キョタクカイゴシエンジギョウショ",
    "居宅介護支援センター": "キョタクカイゴシエンセンター", "ヘルパーステーション": "ヘルパーステーション",
    "訪問介護": "ホウモンカイゴ", "ホームヘルプサービス": "ホームヘルプサービス", "デイサービス": "デイサービス",
    "デイサービスセンター": "デイサービスセンター", "通所介護事業所": "ツウショカイゴジギョウショ",
    "グループホーム": "グループホーム", "特別養護老人ホーム": "トクベツヨウゴロウジンホーム",
    "介護老人保健施設": "カイゴロウジンホケンシセツ", "ケアセンター": "ケアセンター", "訪問入浴": "ホウモンニュウヨク",
    "訪問入浴サービス": "ホウモンニュウヨクサービス", "訪問リハビリテーション": "ホウモンリハビリテーション",
    "整形外科クリニック": "セイケイゲカクリニック", "デイケア": "デイケア", "デイケアセンター": "デイケアセンター",
    "ショートステイ": "ショートステイ", "の里": "ノサト", "短期入所事業所": "タンキニュウショジギョウショ",
    "地域包括支援センター": "チイキホウカツシエンセンター", "小規模多機能ホーム": "ショウキボタキノウホーム",
    "小規模多機能型居宅介護": "ショウキボタキノウガタキョタクカイゴ", "苑": "エン", "老人保健施設": "ロウジンホケンシセツ",
    "福祉用具": "フクシヨウグ", "レンタルサービス": "レンタルサービス",
    "介護付有料老人ホーム": "カイゴツキユウリョウロウジンホーム", "ホーム": "ホーム", "定期巡回": "テイキジュンカイ",
    "定期巡回・随時対応型訪問介護看護": "テイキジュンカイ・ズイジタイオウガタホウモンカイゴカンゴ",
    "地域密着型デイサービス": "チイキミッチャクガタデイサービス", "リハビリデイ": "リハビリデイ",
}


class Muni:
    __slots__ = ("code", "pc", "pref", "city", "kana", "lat", "lng", "short", "short_kana", "city_part", "city_kana",
                 "area", "paren", "post_lo", "post_style", "roma")


# prefecture share of population (from tools/gen.py), by prefecture name
PREF_SHARE = {
    "北海道": 5.1, "青森県": 1.0, "岩手県": 1.0, "宮城県": 1.8, "秋田県": .8, "山形県": .9, "福島県": 1.5,
    "茨城県": 2.3, "栃木県": 1.5, "群馬県": 1.5, "埼玉県": 5.8, "千葉県": 5.0, "東京都": 11.0, "神奈川県": 7.3,
    "新潟県": 1.7, "富山県": .8, "石川県": .9, "福井県": .6, "山梨県": .6, "長野県": 1.6, "岐阜県": 1.6,
    "静岡県": 2.9, "愛知県": 6.0, "三重県": 1.4, "滋賀県": 1.1, "京都府": 2.0, "大阪府": 7.0, "兵庫県": 4.3,
    "奈良県": 1.1, "和歌山県": .8, "鳥取県": .4, "島根県": .5, "岡山県": 1.5, "広島県": 2.2, "山口県": 1.1,
    "徳島県": .6, "香川県": .8, "愛媛県": 1.1, "高知県": .6, "福岡県": 4.1, "佐賀県": .6, "長崎県": 1.0,
    "熊本県": 1.4, "大分県": .9, "宮崎県": .8, "鹿児島県": 1.3, "沖縄県": 1.2}
# first 3 digits of postal codes by prefecture code (lo, hi)
POST = {1: (40, 99), 2: (30, 39), 3: (20, 29), 4: (980, 989), 5: (10, 19), 6: (990, 999), 7: (960, 979),
        8: (300, 319), 9: (320, 329), 10: (370, 379), 11: (330, 369), 12: (260, 299), 13: (100, 209),
        14: (210, 259), 15: (940, 959), 16: (930, 939), 17: (920, 929), 18: (910, 919), 19: (400, 409),
        20: (380, 399), 21: (500, 509), 22: (410, 439), 23: (440, 499), 24: (510, 519), 25: (520, 529),
        26: (600, 629), 27: (530, 599), 28: (650, 679), 29: (630, 639), 30: (640, 649), 31: (680, 689),
        32: (690, 699), 33: (700, 719), 34: (720, 739), 35: (740, 759), 36: (770, 779), 37: (760, 769),
        38: (790, 799), 39: (780, 789), 40: (800, 839), 41: (840, 849), 42: (850, 859), 43: (860, 869),
        44: (870, 879), 45: (880, 889), 46: (890, 899), 47: (900, 909)}


def phone_lead(pc):
    """Leading digits of area codes by prefecture (roughly the real regions)."""
    if pc == 1:
        return "01"
    if pc <= 7:
        return "02"
    return {8: "029", 9: "028", 10: "027", 11: "04", 12: "04", 13: "042", 14: "04", 15: "02", 16: "07",
            17: "07", 18: "07", 19: "05", 20: "02", 21: "05", 22: "05", 23: "05", 24: "05"}.get(
        pc, "07" if pc <= 30 else "08" if pc <= 39 else "09")


def load_munis(path, rnd):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    # designated cities listed together with their wards: keep only the wards
    parents = {r["city"].split(" ")[0] for r in rows if " " in r["city"]}
    munis, weights = [], []
    by_pref = {}
    for r in rows:
        if r["city"] in parents:
            continue
        m = Muni()
        m.code = r["lgcode"]
        m.pc = int(m.code[:2])
        m.pref = r["pref"]
        parts = r["city"].split(" ")
        m.city = "".join(parts)
        kana_parts = r["citykana"].split(" ")
        m.kana = _kata("".join(kana_parts))
        m.lat, m.lng = float(r["lat"]), float(r["lng"])
        # the part of the name used in facility names: 札幌市中央区 -> 札幌, 下松市 -> 下松
        m.city_part, m.city_kana = parts[0], _kata(kana_parts[0])

        def short(name, kana):
            if len(name) <= 2:
                return name, kana
            for suf in ("シ", "ク", "チョウ", "マチ", "ソン", "ムラ"):
                if kana.endswith(suf) and len(kana) > len(suf) + 1:
                    return name[:-1], kana[: -len(suf)]
            return name[:-1], kana

        m.short, m.short_kana = short(parts[0], _kata(kana_parts[0]))
        if len(parts) > 1 and len(kana_parts) > 1:
            # a ward of a designated city: 港北区 -> 港北, 北区 -> 横浜北
            ws, wk = short(parts[1], _kata(kana_parts[1]))
            if len(parts[1]) <= 2:
                ws, wk = m.short + parts[1][:-1], m.short_kana + _kata(kana_parts[1])[:-1]
            m.short, m.short_kana = ws, wk
        kind = m.city[-1]
        special_ward = len(parts) == 1 and kind == "区"          # 東京23区
        ward = len(parts) > 1
        if special_ward:
            m.area = "03"
            tw = 8.0
        else:
            if ward and parts[0] == "大阪市":
                m.area = "06"
            elif ward and parts[0] == "横浜市":
                m.area = "045"
            elif ward and parts[0] == "名古屋市":
                m.area = "052"
            elif ward and parts[0] == "札幌市":
                m.area = "011"
            else:
                lead = phone_lead(m.pc)
                length = rnd.choices([3, 4, 5], [35, 55, 10] if kind in "町村" else [55, 44, 1])[0]
                length = max(length, len(lead) + 1)
                m.area = lead + "".join(str(rnd.randint(0, 9)) for _ in range(length - len(lead)))
            tw = {"区": 5.0, "市": 2.5, "町": 0.45, "村": 0.12}[kind]
        m.paren = rnd.random() < 0.3
        lo, hi = POST.get(m.pc, (100, 999))
        m.post_lo = rnd.randint(lo, hi)
        m.post_style = rnd.choices(["", "-", "plain"], [50, 30, 20])[0]
        w = tw * rnd.lognormvariate(0, 0.6)
        munis.append(m)
        weights.append(w)
        by_pref.setdefault(m.pref, []).append(len(munis) - 1)
    # scale so that every prefecture gets its population share
    for pref, idx in by_pref.items():
        s = sum(weights[i] for i in idx)
        share = PREF_SHARE.get(pref, 1.0)
        for i in idx:
            weights[i] *= share / s
    return munis, list(accumulate(weights))


# ---------------------------------------------------------------- services

# (name, MHLW code or None, national weight, capacity kind)
# capacity kind: "" no 定員, "day" 通所, "res" residential
SERVICES = [
    ("訪問介護", 110, 356, ""), ("訪問入浴介護", 120, 17, ""), ("訪問看護", 130, 157, ""),
    ("訪問リハビリテーション", 140, 50, ""), ("通所介護", 150, 244, "day"), ("通所リハビリテーション", 160, 80, "day"),
    ("福祉用具貸与", 170, 72, ""), ("短期入所生活介護", 210, 119, "res"), ("短期入所療養介護", 220, 50, "res"),
    ("認知症対応型共同生活介護", 320, 140, "res"), ("特定施設入居者生活介護", 331, 58, "res"),
    ("居宅介護支援", 430, 385, ""), ("介護予防支援", None, 53, ""), ("介護老人福祉施設", 510, 84, "res"),
    ("介護老人保健施設", 520, 42, "res"), ("小規模多機能型居宅介護", 730, 56, "res"),
    ("定期巡回・随時対応型訪問介護看護", 760, 12, ""), ("地域密着型通所介護", 780, 194, "day"),
]
SERVICE_BY_NAME = {s[0]: s for s in SERVICES}
COMPANIONS = {
    "介護老人福祉施設": ["短期入所生活介護", "通所介護", "居宅介護支援"],
    "介護老人保健施設": ["短期入所療養介護", "通所リハビリテーション", "訪問リハビリテーション"],
    "訪問介護": ["居宅介護支援", "定期巡回・随時対応型訪問介護看護", "訪問入浴介護"],
    "訪問看護": ["居宅介護支援", "訪問介護"],
    "通所介護": ["居宅介護支援", "訪問介護", "短期入所生活介護"],
    "居宅介護支援": ["訪問介護", "通所介護", "介護予防支援"],
    "認知症対応型共同生活介護": ["小規模多機能型居宅介護", "地域密着型通所介護"],
    "小規模多機能型居宅介護": ["認知症対応型共同生活介護", "居宅介護支援"],
    "地域密着型通所介護": ["居宅介護支援", "訪問介護"],
    "特定施設入居者生活介護": ["訪問介護", "通所介護"],
    "短期入所生活介護": ["通所介護", "居宅介護支援"],
    "福祉用具貸与": ["居宅介護支援"],
    "通所リハビリテーション": ["訪問リハビリテーション", "短期入所療養介護"],
}
CAPACITY = {"day": [10, 15, 18, 20, 25, 30, 35, 40, 50], "res": [9, 18, 20, 29, 30, 40, 50, 60, 80, 100]}

DAYS_MED = [("月火水木金土", 50), ("月火水金土", 12), ("月火木金土", 8), ("月火水木金", 10), ("月水木金土", 5),
            ("月火水木土", 4), ("月火水木金土日", 3), ("火水木金土", 2), ("月火水金", 1)]
DAYS_PHARM = [("月火水木金土", 50), ("月火水木金", 25), ("月火水木金土日", 10), ("月火水金土", 8), ("月火木金土", 7)]
DAYS_CARE = [("月火水木金土", 40), ("月火水木金", 30), ("月火水木金土日", 25), ("月水金", 5)]
DAYS_MHLW = [("平日", 30), ("平日,土曜日", 30), ("平日,土曜日,祝日", 15), ("平日,土曜日,日曜日,祝日", 20), ("", 5)]
START = [(9 * 60, 50), (8 * 60 + 30, 25), (9 * 60 + 30, 8), (8 * 60 + 45, 7), (10 * 60, 5), (8 * 60, 3), (13 * 60 + 30, 2)]
END = [(18 * 60, 40), (17 * 60 + 30, 15), (18 * 60 + 30, 15), (19 * 60, 12), (17 * 60, 10), (12 * 60, 3), (20 * 60, 5)]
NOTE_LINES = ["木曜日、土曜日は午前中のみ", "第2土曜日休診", "日曜日・祝日休診", "昼休み 12:30～14:30",
              "水曜日午後休診", "受付は診療終了の30分前まで", "完全予約制", "年末年始（12月29日～1月3日）休診",
              "土曜日は9:00～13:00", "第1・第3土曜日は休診", "お盆休みあり（8月13日～15日）",
              "午前 9:00～12:30、午後 14:30～18:00", "往診は火曜日・金曜日の午後", "予防接種は14時～16時（予約制）"]
CARE_DAY_NOTES = ["祝日も営業", "年末年始（12月30日～1月3日）は休業", "土曜日は午前のみ", "365日営業", "お盆休みあり"]
CORP_MED = ["医療法人社団{h}会", "医療法人{s}会", "医療法人{h}会", "社会医療法人{h}会", "医療法人社団 {s}{sp}"]
CORP_PHARM = ["株式会社{k}", "有限会社{s}薬局", "株式会社{k}ファーマシー", "株式会社{h}調剤"]
CORP_CARE = ["社会福祉法人{h}会", "株式会社{k}", "医療法人{s}会", "有限会社{h}", "特定非営利活動法人{h}",
             "社会福祉法人{c}社会福祉協議会", "合同会社{k}{t}"]

FW = str.maketrans("0123456789-", "０１２３４５６７８９ー")


# Name templates. Tokens: s surname, S surname in hiragana, h hiragana word, k katakana word, p the
# main 診療科, t town, c short city name (下松), C city (下松市), y pharmacy word,
# _ a space (full- or half-width); anything else is a literal in LIT.
# (tokens, slug of the web address)
MED_TMPL = {
    "clinic": [("s p クリニック", "{s}-clinic"), ("t p 医院", "{s}-iin"), ("c p クリニック", "clinic-{s}"),
               ("医療法人社団 h 会 _ s p", "{h}kai"), ("s p 医院", "{s}-iin"), ("S p クリニック", "{s}-cl"),
               ("h p クリニック", "{h}-clinic"), ("c t p クリニック", "{t}-clinic"), ("s 医院", "{s}-iin"),
               ("c k p クリニック", "{k}-clinic")],
    "dental": [("s 歯科医院", "{s}-dental"), ("t 歯科クリニック", "dental-{s}"), ("h 歯科", "{h}-dc"),
               ("c デンタルクリニック", "dental-{h}"), ("s 歯科クリニック", "{s}-dc"), ("S 歯科", "{s}-shika"),
               ("S 歯科医院", "{s}-shika"), ("t 歯科医院", "{t}-dental"), ("h 歯科クリニック", "{h}-dental"),
               ("c k デンタルクリニック", "{k}-dental"), ("s デンタルオフィス", "{s}-office"), ("c t 歯科", "{t}-shika"),
               ("医療法人社団 h 会 _ s 歯科医院", "{h}kai")],
    "hosp": [("c 中央病院", "{s}-hp"), ("医療法人 h 会 _ s 病院", "{h}-hospital"), ("C 立病院", "city-hp-{s}"),
             ("t 総合病院", "general-{h}")],
    "pharm": [("h y _ t 店", "{h}-ph"), ("k y _ c 店", "{k}-pharmacy"), ("s y", "{s}-yakkyoku"),
              ("k y _ t 店", "{k}-ph"), ("t y", "{t}-yakkyoku"), ("c t y", "{t}-ph"), ("S y", "{s}-ph"),
              ("h y _ c t 店", "{h}-pharmacy")],
}
CARE_TMPL = {
    "訪問看護": ["訪問看護ステーション _ h", "c _ 訪問看護ステーション _ h", "k 訪問看護 _ t"],
    "居宅介護支援": ["ケアプランセンター _ h", "c 居宅介護支援事業所", "k 居宅介護支援センター _ t"],
    "訪問介護": ["ヘルパーステーション _ h", "k 訪問介護 _ t", "c ホームヘルプサービス"],
    "通所介護": ["デイサービス _ h", "k デイサービスセンター _ t", "c 通所介護事業所"],
    "認知症対応型共同生活介護": ["グループホーム _ h", "k グループホーム _ t"],
    "介護老人福祉施設": ["特別養護老人ホーム _ h", "h 苑", "c ケアセンター"],
    "介護老人保健施設": ["介護老人保健施設 _ h t", "老人保健施設 _ h"],
    "訪問入浴介護": ["k 訪問入浴 _ t", "訪問入浴サービス _ h"],
    "訪問リハビリテーション": ["訪問リハビリテーション _ h", "s 整形外科クリニック _ 訪問リハビリテーション"],
    "通所リハビリテーション": ["デイケア _ h", "k デイケアセンター _ t", "リハビリデイ _ h"],
    "短期入所生活介護": ["ショートステイ _ h", "h の里 _ 短期入所事業所"],
    "短期入所療養介護": ["介護老人保健施設 _ h t", "ショートステイ _ h"],
    "介護予防支援": ["c 地域包括支援センター", "t 地域包括支援センター"],
    "小規模多機能型居宅介護": ["小規模多機能ホーム _ h", "k 小規模多機能型居宅介護 _ t"],
    "地域密着型通所介護": ["デイサービス _ h", "h 地域密着型デイサービス _ t"],
    "福祉用具貸与": ["k 福祉用具 _ t 店", "k レンタルサービス _ c"],
    "特定施設入居者生活介護": ["介護付有料老人ホーム _ h", "k ホーム _ t"],
    "定期巡回・随時対応型訪問介護看護": ["k 定期巡回 _ t", "定期巡回・随時対応型訪問介護看護 _ h"],
}
MED_TMPL = {k: [(t.split(), slug) for t, slug in v] for k, v in MED_TMPL.items()}
CARE_TMPL = {k: [t.split() for t in v] for k, v in CARE_TMPL.items()}
for _tmpls in [[t for t, _ in v] for v in MED_TMPL.values()] + list(CARE_TMPL.values()):
    for _t in _tmpls:
        for _tok in _t:
            assert len(_tok) <= 2 or _tok in LIT, _tok


class Weighted:
    """Values with weights, drawn with one random() and a bisection."""
    __slots__ = ("values", "cum", "total")

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]


W_DAYS_MED, W_DAYS_PHARM, W_DAYS_CARE, W_DAYS_MHLW = map(Weighted, (DAYS_MED, DAYS_PHARM, DAYS_CARE, DAYS_MHLW))
W_START, W_END = Weighted(START), Weighted(END)
W_SPEC = Weighted([(s[:2], s[2]) for s in SPEC])
W_MED_CAT = Weighted([("clinic", 105), ("dental", 68), ("hosp", 8), ("pharm", 62)])
W_HOSP_DAYS = Weighted([("月火水木金土", 60), ("月火水木金", 40)])


class Gen:
    def __init__(self, seed, localgov):
        self.rnd = rnd = random.Random(seed)
        self.R = rnd.random
        self.munis, self.mcum = load_munis(localgov, rnd)
        self.mtotal = self.mcum[-1]
        self.serial = {}       # (kind, pc, ...) -> last serial of 医療機関コード / 事業所番号 / 法人番号
        self.corps = {}        # (kind, prefecture) -> [(法人番号, 法人の名称)]
        self.svc_all = Weighted([(s, s[2]) for s in SERVICES])
        self.svc_mhlw = Weighted([(s, s[2]) for s in SERVICES if s[1] is not None])

    # ------------------------------------------------------------ fast draws
    def ri(self, a, b):
        return a + int(self.R() * (b - a + 1))

    def ch(self, seq):
        return seq[int(self.R() * len(seq))]

    def w(self, wt):
        i = bisect.bisect_right(wt.cum, self.R() * wt.total)
        return wt.values[i if i < len(wt.values) else -1]

    def digits(self, n):
        return f"{int(self.R() * 10 ** n):0{n}d}"

    def muni(self):
        i = bisect.bisect_right(self.mcum, self.R() * self.mtotal)
        return self.munis[min(i, len(self.munis) - 1)]

    def next_serial(self, key, start_hi):
        v = self.serial.get(key)
        if v is None:
            v = self.ri(start_hi // 10, start_hi)
        v += self.ri(1, 37)
        self.serial[key] = v
        return v

    # ------------------------------------------------------------ contact
    def phone(self, m, fax_of=None):
        if fax_of is not None and self.R() < 0.7:
            # FAX is usually the phone number with the last digit changed
            return fax_of[:-1] + str((int(fax_of[-1]) + 1) % 10)
        n_ex = 6 - len(m.area)
        ex = str(self.ri(1, 9)) + self.digits(n_ex - 1) if n_ex > 1 else str(self.ri(1, 9))
        sub = self.digits(4)
        return f"({m.area}){ex}-{sub}" if m.paren else f"{m.area}-{ex}-{sub}"

    def mobile(self):
        return f"0{self.ch('789')}0-{self.ri(1000, 9999)}-{self.digits(4)}"

    def postal(self, m):
        if not m.post_style:
            return ""
        p, rest = f"{m.post_lo:03d}", self.digits(4)
        return f"{p}-{rest}" if m.post_style == "-" else p + rest

    def corp_number(self, pc, type_code):
        serial = self.next_serial(("corp", pc, type_code), 9000)
        base = f"{pc:02d}00{type_code}{serial:06d}"
        s = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(base)))
        return f"{9 - s % 9}{base}"

    def corporation(self, kind, m):
        """(法人番号, 法人の名称): a corporation of the prefecture runs several
        facilities (30% reuse one), others found a new one."""
        pool = self.corps.setdefault((kind, m.pc), [])
        if pool and (len(pool) >= 5000 or self.R() < 0.3):
            return self.ch(pool)
        tmpl = self.ch({"med": CORP_MED, "pharm": CORP_PHARM, "care": CORP_CARE}[kind])
        name = tmpl.format(h=self.ch(HIRA)[0], s=self.ch(SURN)[0], k=self.ch(KATA)[0], c=m.city_part,
                           t=self.ch(TOWN)[0], sp=self.w(W_SPEC)[0])
        type_code = "01" if name.startswith(("株式会社", "有限会社", "合同会社")) else "05"
        c = (self.corp_number(m.pc, type_code), name)
        pool.append(c)
        return c

    def url(self, slug, p):
        if self.R() >= p:
            return ""
        tld = self.ch((".jp", ".or.jp", ".com", ".co.jp", ".net"))
        return f"https://www.{slug}{tld}/" if self.R() < 0.8 else f"http://{slug}{tld}/"

    # ------------------------------------------------------------ place
    def address(self, m, fullwidth_p, banchi_p=0.0):
        """(town, 町字, 番地以下, 建物名)"""
        R = self.R
        t = self.ch(TOWN)
        n, a, b = self.ri(1, 5), self.ri(1, 30), self.ri(1, 20)
        x = R()
        if x < fullwidth_p:
            chome = t[0] + f"{n}丁目".translate(FW)
            rest = f"{a}-{b}".translate(FW)
        elif x < fullwidth_p + banchi_p:
            chome, rest = f"{t[0]}{n}丁目", f"{a}番{b}号"
        else:
            chome, rest = f"{t[0]}{n}丁目", f"{a}-{b}"
        bld = ""
        if R() < 0.07:
            bld = self.ch(BUILDING).format(s=self.ch(SURN)[0], k=self.ch(KATA)[0], t=t[0], c=m.short,
                                           d=self.ri(1, 5))
        return t, chome, rest, bld

    def point(self, m):
        g = self.rnd.gauss
        return m.lat + g(0, 0.018), m.lng + g(0, 0.018 / math.cos(math.radians(m.lat)))

    def coords(self, lat, lng, p_blank, p_zero, p_swap):
        x = self.R()
        if x < p_blank:
            return "", ""
        x -= p_blank
        if x < p_zero:
            return ("0", "0") if self.R() < 0.5 else ("0.0", "0.0")
        x -= p_zero
        if x < p_swap:
            return f"{lng:.7f}", f"{lat:.7f}"
        return f"{lat:.7f}", f"{lng:.7f}"

    # ------------------------------------------------------------ names
    def fill(self, tokens, m, t, sp=None, y=None):
        """(name, kana, picks) for a template."""
        s, h, k = self.ch(SURN), self.ch(HIRA), self.ch(KATA)
        sep = "　" if self.R() < 0.7 else " "
        val = {"s": s, "S": (_hira(s[1]), s[1]), "h": h, "k": k, "t": t, "p": sp, "y": y,
               "c": (m.short, m.short_kana), "C": (m.city_part, m.city_kana), "_": (sep, sep)}
        text, kana = [], []
        for tok in tokens:
            v = val.get(tok)
            if v is None:
                text.append(tok)
                kana.append(LIT[tok])
            else:
                text.append(v[0])
                kana.append(v[1])
        return "".join(text), "".join(kana), {"s": s[2], "h": h[2], "k": k[2], "t": TOWN_ROMA.get(t[0], "town")}

    # ------------------------------------------------------------ schedule
    def hhmm(self, minutes, excel):
        if excel:
            return f"{minutes / 1440:.15g}"
        h, mi = divmod(minutes, 60)
        return f"{h}:{mi:02d}" if self.R() < 0.1 else f"{h:02d}:{mi:02d}"

    def note(self):
        x = self.R()
        if x < 0.20:
            return "\n".join(self.rnd.sample(NOTE_LINES, 3 if self.R() < 0.3 else 2))
        if x < 0.32:
            return self.ch(NOTE_LINES)
        return ""

    # ------------------------------------------------------------ rows
    def medical_row(self, i):
        R, rnd = self.R, self.rnd
        cat = self.w(W_MED_CAT)
        m = self.muni()
        t, chome, rest, bld = self.address(m, 0.05)
        sp = self.w(W_SPEC)
        tokens, slug_fmt = self.ch(MED_TMPL[cat])
        name, kana, picks = self.fill(tokens, m, t, sp, self.ch(CH))
        slug = slug_fmt.format(**picks)
        if R() < 0.08:
            kana = ""
        lat, lng = self.point(m)
        la, lo = self.coords(lat, lng, 0.02, 0.01, 0.005)
        tel = self.phone(m)
        fax = self.phone(m, tel) if R() < 0.6 else ""
        corp_no = corp_name = ""
        if R() < 0.4:
            corp_no, corp_name = self.corporation("pharm" if cat == "pharm" else "med", m)
            if R() < 0.3:
                corp_name = ""  # many lists give the number without the name
        if cat == "pharm":
            kind, depts, beds, type_digit = "薬局", "", "", 4
            days = self.w(W_DAYS_PHARM)
        elif cat == "dental":
            kind, beds, type_digit = "無床診療所", "0", 3
            depts = "、".join(["歯科"] + [d for d in DENTAL_SPEC if R() < 0.5])
            days = self.w(W_DAYS_MED)
        elif cat == "hosp":
            kind, type_digit = "病院", 1
            ds = [sp[0]] + [x[0] for x in rnd.sample(SPEC, self.ri(3, 10))] + rnd.sample(EXTRA_SPEC, self.ri(0, 3))
            depts = "、".join(dict.fromkeys(ds))
            beds = str(max(20, min(1200, int(rnd.lognormvariate(5.0, 0.7)))))
            days = self.w(W_HOSP_DAYS)
        else:
            yusho = R() < 0.07
            kind, type_digit = ("有床診療所" if yusho else "無床診療所"), 1
            ds = [sp[0]]
            for _ in range(self.ch((0, 0, 1, 1, 2, 3))):
                ds.append(self.w(W_SPEC)[0] if R() < 0.8 else self.ch(EXTRA_SPEC))
            depts = "、".join(dict.fromkeys(ds))
            beds = str(self.ri(1, 19)) if yusho else "0"
            days = self.w(W_DAYS_MED)
        iryo_code = f"{m.pc:02d}{type_digit}{self.next_serial(('iryo', m.pc, type_digit), 700000):07d}"
        excel = R() < 0.03
        if R() < 0.01:
            start = end = ""
        else:
            start, end = self.hhmm(self.w(W_START), excel), self.hhmm(self.w(W_END), excel)
        note = self.note()
        after = ""
        if cat == "hosp" and R() < 0.3:
            after = self.ch(("24時間救急対応", "急患の患者については、24時間365日対応。", "夜間・休日は救急外来で対応"))
        elif cat == "clinic" and R() < 0.03:
            after = "かかりつけの患者は電話で対応"
        disaster = self.ch(("基幹災害拠点病院", "地域災害拠点病院")) if cat == "hosp" and R() < 0.1 else ""
        url = self.url(slug, 0.35)
        if url and R() < 0.03:
            url = url.split("//", 1)[1]          # no scheme
        mail = f"info@{slug}.jp" if R() < 0.05 else ""
        pref_city = m.pref + m.city
        return [m.code, f"KD{i:010d}", pref_city, name, kana, "", kind, m.code, "",
                pref_city + chome + rest, m.pref, m.city, chome, rest, bld, la, lo, "", "",
                tel, "", fax, mail, "", "", self.postal(m), corp_no, corp_name, iryo_code,
                days, start, end, note, after, depts, beds, disaster, "", url, "", "", ""]

    def office(self, services, multi_p=0.3):
        """A care office: its attributes and the services it runs (1-3)."""
        R = self.R
        primary = self.w(services)[0]
        svcs = [primary]
        if R() < multi_p:
            allowed = {s[0] for s in services.values}
            comp = [c for c in COMPANIONS.get(primary, ["居宅介護支援"]) if c in allowed and c != primary]
            if comp:
                svcs += self.rnd.sample(comp, 1 if R() < 0.7 or len(comp) == 1 else 2)
        m = self.muni()
        t, chome, rest, bld = self.address(m, 0.03, 0.1)
        name, kana, picks = self.fill(self.ch(CARE_TMPL[primary]), m, t)
        lat, lng = self.point(m)
        tel = self.mobile() if R() < 0.01 else self.phone(m)
        o = {
            "m": m, "chome": chome, "rest": rest, "bld": bld, "name": name, "kana": kana,
            "slug": f"{picks['h']}-{picks['k']}", "lat": lat, "lng": lng, "blank": R() < 0.01, "tel": tel,
            "jigyosho": f"{m.pc:02d}{self.next_serial(('kaigo', m.pc), 79000000):08d}",
        }
        return o, svcs

    def care_rows(self, o, svcs, first_id):
        """自治体標準 介護サービス事業所一覧: one row per service, consecutive."""
        R = self.R
        m = o["m"]
        fax = self.phone(m, o["tel"]) if R() < 0.6 else ""
        corp_no, corp_name = self.corporation("care", m) if R() < 0.4 else ("", "")
        la, lo = ("", "") if o["blank"] else (f"{o['lat']:.7f}", f"{o['lng']:.7f}")
        pref_city = m.pref + m.city
        url = self.url(o["slug"], 0.3)
        postal = self.postal(m)
        days = self.w(W_DAYS_CARE) if R() < 0.5 else ""
        day_note = self.ch(CARE_DAY_NOTES) if R() < 0.1 else ""
        rows = []
        for j, s in enumerate(svcs):
            cap_kind = SERVICE_BY_NAME[s][3]
            cap = f"{self.ch(CAPACITY[cap_kind])}名" if cap_kind and R() < 0.6 else ""
            rows.append([m.code, f"KD{900000000 + first_id + j:010d}", pref_city, o["name"], o["kana"], "", s,
                         m.code, "", pref_city + o["chome"] + o["rest"], m.pref, m.city, o["chome"], o["rest"],
                         o["bld"], la, lo, "", "", o["tel"], "", fax, "", "", "", postal, corp_no, corp_name,
                         o["jigyosho"], days, day_note, cap, url, "", "", ""])
        return rows

    def mhlw_row(self, o, svc):
        """介護サービス情報公表システム: one row of the file for service `svc`."""
        R = self.R
        m = o["m"]
        name, code, _, cap_kind = SERVICE_BY_NAME[svc]
        addr = o["chome"] + o["rest"]
        addr = (m.city + addr) if R() < 0.3 else (m.pref + m.city + addr)   # prefecture often left out
        if o["bld"]:
            addr += o["bld"]
        if o["blank"]:
            la = lo = ""
        else:
            la, lo = f"{round(o['lat'], 7):.15f}", f"{round(o['lng'], 7):.15f}"
        fax = self.phone(m, o["tel"]) if R() < 0.85 else ""
        corp_no, corp_name = self.corporation("care", m)
        if R() < 0.15:
            corp_no = ""
        if cap_kind:
            cap = "0" if R() < 0.2 else str(self.ch(CAPACITY[cap_kind]))
        else:
            cap = "0" if R() < 0.4 else ""
        x = R()
        if x < 0.02:
            url = f"info@{o['slug']}.jp"                # e-mail in the URL column
        elif x < 0.025:
            url = f"hppt://www.{o['slug']}.jp"           # typo seen in real files
        else:
            url = self.url(o["slug"], 0.45)
        kyosei = "なし" if R() < 0.5 else ""
        if cap_kind == "day" and R() < 0.05:
            kyosei = "あり"
        return [m.code, o["jigyosho"], m.pref, m.city, o["name"], o["kana"], name, addr, o["bld"], la, lo,
                o["tel"], fax, corp_no, corp_name, o["jigyosho"], self.w(W_DAYS_MHLW),
                self.ch(CARE_DAY_NOTES) if R() < 0.08 else "", cap, url, kyosei, "", "", ""]


def split(n, layout):
    """(medical rows, care.csv rows, kaigo_*.csv rows) adding up to n."""
    if layout == "medical":
        return n, 0, 0
    if layout == "care":
        return 0, n, 0
    if layout == "mhlw-care":
        return 0, 0, n
    med = round(n * 243 / 413)
    care = (n - med) // 2
    return med, care, n - med - care


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def open_csv(path, encoding):
    f = open(path, "w", encoding=encoding, newline="", buffering=1 << 20)
    return f, csv.writer(f, lineterminator="\r\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, metavar="N", help="total number of data rows")
    ap.add_argument("outdir", type=Path, metavar="OUTDIR")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--layout", choices=["all", "medical", "care", "mhlw-care"], default="all")
    default_ref = Path(__file__).resolve().parent.parent / "data/reference/localgovjp/localgovjp-utf8.csv"
    ap.add_argument("--localgov", type=Path, default=default_ref, help="localgovjp-utf8.csv (municipal offices)")
    a = ap.parse_args(argv)
    if a.n < 0:
        ap.error("N must be >= 0")
    a.outdir.mkdir(parents=True, exist_ok=True)
    g = Gen(a.seed, a.localgov)
    n_med, n_care, n_mhlw = split(a.n, a.layout)
    written = []   # (path, rows)

    if a.layout in ("all", "medical"):
        path = a.outdir / "medical.csv"
        f, w = open_csv(path, "utf-8-sig")
        w.writerow(MEDICAL_HEADER)
        for i in range(1, n_med + 1):
            w.writerow(g.medical_row(i))
        f.close()
        written.append((path, n_med))

    if a.layout in ("all", "care"):
        path = a.outdir / "care.csv"
        f, w = open_csv(path, "cp932")
        w.writerow(CARE_HEADER)
        done = 0
        while done < n_care:
            o, svcs = g.office(g.svc_all)
            svcs = svcs[: n_care - done]
            w.writerows(g.care_rows(o, svcs, done + 1))
            done += len(svcs)
        f.close()
        written.append((path, n_care))

    if a.layout in ("all", "mhlw-care"):
        files, counts = {}, {}
        done = 0
        while done < n_mhlw:
            o, svcs = g.office(g.svc_mhlw)
            for s in svcs[: n_mhlw - done]:
                code = SERVICE_BY_NAME[s][1]
                if code not in files:
                    p = a.outdir / f"kaigo_{code}.csv"
                    files[code] = (p,) + open_csv(p, "utf-8-sig")
                    files[code][2].writerow(MHLW_HEADER)
                    counts[code] = 0
                files[code][2].writerow(g.mhlw_row(o, s))
                counts[code] += 1
                done += 1
        for code in sorted(files):
            p, f, _ = files[code]
            f.close()
            written.append((p, counts[code]))

    total = 0
    for path, rows in written:
        total += rows
        print(f"{path}\t{rows}\t{sha256(path)}")
    print(f"total\t{total}", file=sys.stderr)
    assert total == a.n, (total, a.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())

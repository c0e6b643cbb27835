//! `/openapi.json`: the API described for clients and test generators.

use actix_web::HttpResponse;
use serde_json::{Value, json};

fn param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn filters() -> Vec<Value> {
    let s = json!({ "type": "string" });
    vec![
        param("q", "名前・読み・サービス・住所・診療科目の自由語", s.clone()),
        param("category", "施設の種類（id または名前、グループも可。カンマ区切り・繰り返し可）", s.clone()),
        param("service", "サービス（id または名前）", s.clone()),
        param("municipality", "全国地方公共団体コード（5桁/6桁）または市区町村名", s.clone()),
        param("area", "日常生活圏域", s.clone()),
        param("capability", "在宅での対応（例: around_the_clock）", s.clone()),
        param("home_visits", "1: 自宅に来てくれる施設だけ", s.clone()),
        param("vacancy", "1: 空きのある施設だけ", s.clone()),
        param("open_at", "この日時に開いている（例: 2026-12-01T10:30、日本時間）", s.clone()),
        param("open_now", "1: いま開いている", s.clone()),
        param("near", "緯度,経度（距離の基準）", s.clone()),
        param("addr", "住所（near のかわりに。オフラインで位置に変換）", s.clone()),
        param(
            "radius_m",
            "near からの距離（メートル）以内",
            json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true }),
        ),
        param("bbox", "西,南,東,北（経度・緯度）", s.clone()),
        param("visits", "緯度,経度: この場所に訪問できる施設を先に", s.clone()),
        param(
            "sort",
            "relevance / distance / name",
            json!({ "type": "string", "enum": ["relevance", "distance", "name"] }),
        ),
    ]
}

fn paging() -> Vec<Value> {
    vec![
        param("page", "ページ（1から）", json!({ "type": "integer", "minimum": 1 })),
        param("per_page", "1ページの件数（1〜500）", json!({ "type": "integer", "minimum": 1, "maximum": 500 })),
    ]
}

fn error() -> Value {
    json!({ "description": "パラメータの誤り", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub fn spec() -> Value {
    let item = json!({
        "type": "object",
        "required": ["id", "name", "categories", "services"],
        "properties": {
            "id": { "type": "integer" }, "name": { "type": "string" }, "kana": { "type": ["string", "null"] },
            "categories": { "type": "array", "items": { "type": "string" } },
            "category_labels": { "type": "array", "items": { "type": "string" } },
            "services": { "type": "array", "items": { "type": "string" } },
            "address": { "type": ["string", "null"] }, "lat": { "type": ["number", "null"] }, "lng": { "type": ["number", "null"] },
            "tel": { "type": ["string", "null"] }, "fax": { "type": ["string", "null"] }, "url": { "type": ["string", "null"] },
            "distance_m": { "type": ["number", "null"] }, "last_verified": { "type": ["string", "null"], "format": "date" },
            "open": { "type": "string", "enum": ["open", "closed", "unknown"] },
            "visits": { "type": "string", "enum": ["area", "municipality"] }
        }
    });
    let mut list_params = filters();
    list_params.extend(paging());
    list_params.push(param("facets", "1: 種類・サービス・市町村ごとの件数も返す", json!({ "type": "string" })));
    let mut export_params = filters();
    export_params.push(param(
        "layout",
        "medical（医療機関一覧）/ care（介護サービス事業所一覧）",
        json!({ "type": "string", "enum": ["medical", "care"] }),
    ));
    let mut cluster_params = filters();
    cluster_params.push(param(
        "zoom",
        "地図のズーム（0〜22）",
        json!({ "type": "integer", "minimum": 0, "maximum": 22 }),
    ));
    json!({
        "openapi": "3.1.0",
        "info": { "title": "つなぎ 医療・介護資源マップ API", "version": "1", "description": "施設の検索・地図・自治体標準形式でのダウンロード。すべて読み取り専用です。検索・GeoJSON・地図・市町村の答えは、同じ URL を次に尋ねた人のためにサーバーが覚えておきます（データの取り込みや修正があるとすべて忘れます）。ヘッダー X-Cache が hit なら覚えていた答え、miss なら今つくった答えです。Cache-Control: no-cache を送ると必ず今つくります。ETag と If-None-Match で、変わっていなければ 304 を返します。" },
        "paths": {
            "/api/v1/facilities": { "get": {
                "summary": "施設を探す", "parameters": list_params,
                "responses": {
                    "200": { "description": "一覧", "content": { "application/json": { "schema": {
                        "type": "object", "required": ["items", "total_items", "total_pages", "page_number", "size"],
                        "properties": {
                            "items": { "type": "array", "items": item },
                            "total_items": { "type": "integer" }, "total_pages": { "type": "integer" },
                            "page_number": { "type": "integer" }, "size": { "type": "integer" },
                            "facets": { "type": "object" },
                            "searched_as": { "type": "string",
                                "description": "q を語に分けても探したときの語（例: 下松の訪問看護 → 下松 訪問看護、眼科柳井 → 眼科 柳井）" }
                        } } } } },
                    "400": error()
                } } },
            "/api/v1/facilities/{id}": { "get": {
                "summary": "施設の詳しい情報",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "施設", "content": { "application/json": { "schema": { "type": "object" } } } },
                               "404": { "description": "ありません", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } } } } },
            "/api/v1/facilities.geojson": { "get": {
                "summary": "条件にあう施設の GeoJSON（[経度, 緯度]）", "parameters": filters(),
                "responses": { "200": { "description": "FeatureCollection", "content": { "application/geo+json": { "schema": { "type": "object" } } } }, "400": error() } } },
            "/api/v1/export.csv": { "get": {
                "summary": "自治体標準オープンデータセットの列で CSV（UTF-8、BOM付き）", "parameters": export_params,
                "responses": { "200": { "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } }, "400": error() } } },
            "/api/v1/clusters": { "get": {
                "summary": "地図用: 表示範囲（bbox）の施設をまとめた点", "description": "約60ピクセル四方のマスごとの件数と重心。絞り込みのない地図ではズーム10まで、範囲にかかるマス全体の件数（範囲の少し外を含む）。ズーム16からは施設ごと。", "parameters": cluster_params,
                "responses": { "200": { "description": "まとまり", "content": { "application/json": { "schema": { "type": "object" } } } }, "400": error() } } },
            "/api/v1/boundaries.geojson": { "get": { "summary": "市町村の境界", "responses": { "200": { "description": "FeatureCollection", "content": { "application/geo+json": { "schema": { "type": "object" } } } } } } },
            "/api/v1/areas": { "get": { "summary": "市町村と施設数", "responses": { "200": { "description": "一覧", "content": { "application/json": { "schema": { "type": "object" } } } } } } },
            "/healthz": { "get": { "summary": "稼働状況", "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": { "type": "object" } } } } } } }
        },
        "components": { "schemas": { "Error": {
            "type": "object", "required": ["error"],
            "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                "code": { "type": "string", "enum": ["invalid_parameter", "bad_request", "not_found", "internal"] },
                "message": { "type": "string" }, "parameter": { "type": "string" } } } }
        } } }
    })
}

pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(spec())
}

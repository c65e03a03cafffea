"""Words and helpers of the generator (bench/scale.py)."""

YEARS_SQL = "5 years"
# tables whose secondary indexes are dropped during the load and built afterwards
BIG_TABLES = (
    "crm_counterparty",
    "correspondence_thread",
    "correspondence_incomingletter",
    "correspondence_incomingletter_co_executors",
    "correspondence_outgoingletter",
    "contracts_contract",
    "workflow_task",
    "workflow_route",
    "workflow_routeround",
    "workflow_routestage",
    "workflow_routestep",
    "workflow_timer",
    "workflow_historyentry",
    "workflow_notification",
)

TOPICS = [
    "О поставке",
    "Запрос по",
    "Претензия по",
    "Уведомление по",
    "Счёт по",
    "О продлении договора по",
    "Акт сверки по",
    "Предложение по",
    "Жалоба по",
    "Информационное письмо по",
    "Гарантийное письмо по",
    "Ответ на запрос по",
]
OBJECTS = [
    "оборудования",
    "аренде помещения",
    "договору подряда",
    "ремонту кровли",
    "уборке территории",
    "вывозу мусора",
    "охране объекта",
    "энергоснабжению",
    "водоснабжению",
    "техническому обслуживанию лифтов",
    "арендной плате",
    "благоустройству",
    "пожарной безопасности",
    "установке счётчиков",
    "закупке мебели",
    "поставке материалов",
    "налоговой проверке",
    "трудовой инспекции",
    "парковке",
    "телекоммуникациям",
]
COMPANY_WORDS = [
    "Альфа",
    "Бета",
    "Вектор",
    "Гранит",
    "Дельта",
    "Енисей",
    "Жемчуг",
    "Заря",
    "Импульс",
    "Кедр",
    "Лотос",
    "Меридиан",
    "Нева",
    "Орион",
    "Полюс",
    "Радуга",
    "Сигма",
    "Титан",
    "Урал",
    "Феникс",
    "Ёлка",
    "Эталон",
    "Юпитер",
    "Янтарь",
]
COMPANY_FORMS = ["ООО", "АО", "ИП", "ПАО", "ГУП"]


FIRST_NAMES = ["Анна", "Иван", "Мария", "Пётр", "Ольга", "Сергей", "Елена", "Алексей", "Наталья"]
LAST_NAMES = ["Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Волков", "Зайцев"]
DEPARTMENT_NAMES = [
    "Дирекция",
    "Канцелярия",
    "Коммерческий отдел",
    "Юридический отдел",
    "Бухгалтерия",
    "Отдел эксплуатации",
    "Отдел аренды",
    "Отдел закупок",
    "Отдел персонала",
    "ИТ-отдел",
]
COUNTERPARTY_CATEGORIES = ["tenant", "government", "contractor", "client", "other"]
COUNTERPARTY_STATUSES = ["imported", "imported", "imported", "in_progress", "launched", "refused"]
DELIVERY = ["email", "post", "courier", "edo"]


def arr(values) -> str:
    """A SQL text[] literal (the statements here run without parameters: their % is modulo)."""
    quoted = ",".join("'" + str(v).replace("'", "''") + "'" for v in values)
    return f"(ARRAY[{quoted}]::text[])"


def iarr(values) -> str:
    return "(ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[])"
